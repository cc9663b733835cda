// sched.c: a tiny preemptive scheduler (lab 3): kernel threads in
// S-mode, switched round-robin by the timer tick. The tick's handler runs
// inside kerneltrap on the interrupted thread's stack, so switching
// stacks there (swtch.S) suspends the whole interrupted thread -- trap
// frame included -- until the scheduler picks it again.
//
// `threads` runs two threads that each count until they have been
// preempted PREEMPTS times; the caller waits in WFI meanwhile.
#include "guest-os/defs.h"

#if LAB >= 3

#define NTHREAD   3          // 0 = the shell's thread, 1 and 2 = workers
#define STACKSIZE 8192
#define PREEMPTS  3

struct context {
  u64 ra, sp, s[12];
};

struct thread {
  struct context ctx;
  int used, done;
  int switched_in;           // times the scheduler gave it the CPU
  void (*fn)(int);
  int arg;
};

void swtch(struct context *old, struct context *new);

static volatile struct thread threads[NTHREAD];
static int cur;
static u8 stacks[NTHREAD][STACKSIZE] __attribute__((aligned(16)));

// First code of a new thread: it starts inside the timer handler's trap
// (interrupts off), so turn them on before running its function. The
// function returns with interrupts off (see worker), so no tick can come
// between its end and `done`: a thread is switched in exactly as often as
// it was preempted, plus one.
static void
thread_start(void)
{
  volatile struct thread *t = &threads[cur];
  csr_set(sstatus, SSTATUS_SIE);
  t->fn(t->arg);
  t->done = 1;
  csr_set(sstatus, SSTATUS_SIE);
  for (;;)
    wfi();                   // never picked again
}

static void
thread_create(int i, void (*fn)(int), int arg)
{
  volatile struct thread *t = &threads[i];
  memset((void *)t, 0, sizeof(*t));
  t->fn = fn;
  t->arg = arg;
  t->ctx.ra = (u64)thread_start;
  t->ctx.sp = (u64)&stacks[i][STACKSIZE];
  t->used = 1;
}

// The tick hook: round-robin to the next live thread.
static void
schedule(void)
{
  int old = cur;
  for (int k = 1; k <= NTHREAD; k++) {
    int n = (old + k) % NTHREAD;
    if (threads[n].used && !threads[n].done) {
      if (n == old)
        return;
      cur = n;
      threads[n].switched_in++;
      swtch((struct context *)&threads[old].ctx, (struct context *)&threads[n].ctx);
      return;
    }
  }
}

static volatile u64 counts[NTHREAD];

static void
worker(int i)
{
  // Count until preempted PREEMPTS times: only the tick can take us away.
  // The test is made with interrupts off, and they stay off when it says
  // stop (thread_start turns them on again after marking us done).
  for (;;) {
    csr_clear(sstatus, SSTATUS_SIE);
    if (threads[i].switched_in > PREEMPTS)
      return;
    csr_set(sstatus, SSTATUS_SIE);
    counts[i]++;
  }
}

static int
workers_done(void)
{
  return threads[1].done && threads[2].done;
}

int
threadstest(int argc, char **argv)
{
  (void)argc, (void)argv;
  t_begin("threads");
  if (timer_source() == TIMER_NONE) {
    t_line("no timer: skipped");
    return t_done();
  }
  memset((void *)threads, 0, sizeof(threads));
  cur = 0;
  threads[0].used = 1;
  thread_create(1, worker, 1);
  thread_create(2, worker, 2);
  if (timer_start(100, schedule) < 0) {
    t_check(0, "the timer ticks");
    return t_done();
  }
  wait_until(workers_done);
  timer_stop();
  for (int i = 1; i <= 2; i++)
    t_check(threads[i].done && threads[i].switched_in == PREEMPTS + 1 && counts[i] > 0,
            "thread %d ran, preempted %d times, finished", i, threads[i].switched_in - 1);
  memset((void *)threads, 0, sizeof(threads));
  return t_done();
}

#endif
