// snaptest.c: lab 5's workload for snapshots. It keeps state that evolves
// in memory (a 512 KiB region updated word by word with a running
// checksum), on disk (a ring of records in sectors RECSEC.., only if the
// virtio disk exists) and in time (the `time` CSR must never go
// backwards). Everything is a deterministic function of the iteration
// count, so after a restore the workload can replay the whole history
// and check that memory, disk and time continued exactly.
//
//   snaptest run SECONDS [nodisk]   set up, evolve for SECONDS of guest
//                                   time, verify, print the verdict
//   snaptest start [nodisk]         set up and return (state stays in RAM)
//   snaptest step N                 evolve N more iterations
//   snaptest verify                 verify and print the verdict
//   snaptest touch KIB              write KIB of fresh memory (dirty pages)
//
// Typical use (labs/snapshot/test_snapshot.py): boot with
// run=snaptest run 8, save a snapshot from the monitor while it runs,
// quit QEMU; a new run with RESTORE= resumes it and only the restored run
// prints "snaptest: verdict continuity ok".
#include "guest-os/defs.h"
#include "guest-os/virtio_blk.h"

#if LAB >= 5
#define WORDS    (64 * 1024)          // 512 KiB of u64
#define RECSEC   6144                 // first record sector (3 MiB into the disk)
#define NREC     256                  // records in the ring
#define REC_EVERY 512                 // iterations per disk record
#define MAGIC    0x74736574706e7373UL // "ssnptest"

static u64 region[WORDS] __attribute__((aligned(4096)));
static u64 shadow[WORDS] __attribute__((aligned(4096)));
static u64 rec[64] __attribute__((aligned(512)));

static struct {
  u64 magic;
  u64 iter;             // updates done
  u64 sum;              // running sum of region
  u64 nrec;             // disk records written
  u64 last_time, backwards, max_step;
  int disk;
} st;

static u64 mix(u64 x)
{
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdUL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53UL;
  return x ^ (x >> 33);
}

static void fill(u64 *r)
{
  for (u64 i = 0; i < WORDS; i++)
    r[i] = mix(i);
}

static void update(u64 *r, u64 i, u64 *sum)
{
  u64 idx = mix(i ^ MAGIC) % WORDS, w = mix(i + 1);
  *sum += w - r[idx];
  r[idx] = w;
}

static void make_rec(u64 k)
{
  for (int i = 0; i < 64; i++)
    rec[i] = mix(k * 64 + i);
  rec[0] = MAGIC;
  rec[1] = k;
}

static void tick_time(void)
{
  u64 now = csr_read(time);
  if (now < st.last_time)
    st.backwards++;
  else if (st.last_time && now - st.last_time > st.max_step)
    st.max_step = now - st.last_time;
  st.last_time = now;
}

static int step(void)
{
  update(region, st.iter, &st.sum);
  st.iter++;
  if (st.disk && st.iter % REC_EVERY == 0) {
    make_rec(st.nrec);
    if (vbd_rw(1, RECSEC + st.nrec % NREC, rec, 512) != VIRTIO_BLK_S_OK)
      return -1;
    st.nrec++;
  }
  tick_time();
  return 0;
}

static int start(int nodisk)
{
  memset(&st, 0, sizeof(st));
  fill(region);
  for (u64 i = 0; i < WORDS; i++)
    st.sum += region[i];
  st.disk = !nodisk && vbd_init() == 0 && vbd.capacity >= RECSEC + NREC;
  st.magic = MAGIC;
  tick_time();
  printf("snaptest: start (memory%s, time)\n", st.disk ? ", disk" : "");
  return 0;
}

static int verify(void)
{
  t_begin("snaptest");
  if (st.magic != MAGIC) {
    t_check(0, "state present (run `snaptest start` first)");
    printf("snaptest: verdict FAIL no state\n");
    return t_done();
  }
  tick_time();
  // memory: replay the whole history from the initial fill
  fill(shadow);
  u64 sum = 0;
  for (u64 i = 0; i < WORDS; i++)
    sum += shadow[i];
  for (u64 i = 0; i < st.iter; i++)
    update(shadow, i, &sum);
  u64 bad = 0, rsum = 0;
  for (u64 i = 0; i < WORDS; i++) {
    bad += region[i] != shadow[i];
    rsum += region[i];
  }
  int mem_ok = bad == 0 && sum == st.sum && rsum == st.sum;
  t_check(mem_ok, "memory region matches its history (%lu words differ)", bad);
  int disk_ok = 1;
  if (st.disk) {
    u64 first = st.nrec > NREC ? st.nrec - NREC : 0, wrong = 0;
    for (u64 k = first; k < st.nrec; k++) {
      static u64 got[64] __attribute__((aligned(512)));
      make_rec(k);
      if (vbd_rw(0, RECSEC + k % NREC, got, 512) != VIRTIO_BLK_S_OK ||
          memcmp(got, rec, 512) != 0)
        wrong++;
    }
    disk_ok = wrong == 0;
    t_check(disk_ok, "disk records match (%lu wrong)", wrong);
  }
  t_check(st.backwards == 0, "time never went backwards");
  if (st.iter < 1000000)       // `snaptest step` counts are exact; `run` depends on speed
    t_line("state at iteration %lu", st.iter);
  t_info("iterations %lu, disk records %lu, largest time step %lu ticks", st.iter, st.nrec,
         st.max_step);
  if (mem_ok && disk_ok && st.backwards == 0)
    printf("snaptest: verdict continuity ok\n");
  else
    printf("snaptest: verdict FAIL%s%s%s\n", mem_ok ? "" : " memory", disk_ok ? "" : " disk",
           st.backwards ? " time" : "");
  return t_done();
}

static u64 atou(const char *s)
{
  u64 v = 0;
  while (*s >= '0' && *s <= '9')
    v = v * 10 + (*s++ - '0');
  return v;
}

int snaptest(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "start") == 0)
    return start(argc >= 3 && strcmp(argv[2], "nodisk") == 0);
  if (argc >= 3 && strcmp(argv[1], "step") == 0) {
    if (st.magic != MAGIC)
      start(0);
    for (u64 n = atou(argv[2]); n > 0; n--)
      if (step() < 0)
        break;
    printf("snaptest: stepped to iteration %lu\n", st.iter);
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "verify") == 0)
    return verify();
  if (argc >= 3 && strcmp(argv[1], "run") == 0) {
    start(argc >= 4 && strcmp(argv[3], "nodisk") == 0);
    u64 hz = plat.timebase ? plat.timebase : 10000000;
    u64 end = csr_read(time) + atou(argv[2]) * hz;
    printf("snaptest: running\n");
    while (csr_read(time) < end)
      if (step() < 0)
        break;
    return verify();
  }
  if (argc >= 3 && strcmp(argv[1], "touch") == 0) {
    u64 pages = (atou(argv[2]) + 3) / 4;
    u64 n = 0;
    for (; n < pages; n++) {
      u64 *p = kalloc_page();
      if (p == 0)
        break;
      for (int i = 0; i < 512; i++)
        p[i] = mix(n * 512 + i);
    }
    printf("snaptest: touched %lu pages\n", n);
    return 0;
  }
  printf("usage: snaptest run SECONDS [nodisk] | start [nodisk] | step N | verify | touch KIB\n");
  return 1;
}
#endif
