# expect: memory
# why: allocates until the address-space limit; MemoryError is the memory verdict.
hog = []
while True:
    hog.append(bytearray(50 * 1024 * 1024))
