# expect: timeout
# why: ignores SIGTERM and SIGINT and loops; the supervisor's kill cannot be refused.
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
