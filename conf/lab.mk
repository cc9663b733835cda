# conf/lab.mk: which lab this tree is. The reference tree has every lab's
# feature (LAB) and solution (SOL); `make handout` rewrites this file.
LAB ?= 5
SOL ?= 5
