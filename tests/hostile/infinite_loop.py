# expect: timeout
# why: never returns; the supervisor kills it at the wall deadline.
while True:
    pass
