# expect: crashed
# why: raises the recursion limit to 10**9 and recurses through C (map calls back into
# Python, so every level takes C stack): the stack overflows and python dies of SIGSEGV
# quickly; the harness sees a signal, not a hang (on WASI the guest's stack overflow traps,
# and the trap is reported the same way).
import sys
sys.setrecursionlimit(10**9)
def down(n):
    return list(map(down, [n + 1]))
down(0)
