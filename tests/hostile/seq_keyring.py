# sequence: write read
# expect-write: passed
# expect: error
# why: the writer adds a `user` key holding a secret to its uid's keyring, which outlives
# processes and would reach any later execution (or later harness) with the same uid.
# The seccomp filter refuses add_key and keyctl, and leased uids' keyrings are cleared;
# the reader finds nothing. (A writer refused by the filter still ends normally.)
# expect-write-wasi: error
# expect-wasi: error
# why-wasi: WASI has no ctypes (ImportError) and no keyrings.
import ctypes, platform
libc = ctypes.CDLL(None, use_errno=True)
ADD_KEY, KEYCTL = {"x86_64": (248, 250), "aarch64": (217, 219)}[platform.machine()]
KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING = -3, -4
KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_SETPERM, KEYCTL_LINK = 1, 5, 8
KEYCTL_SEARCH, KEYCTL_READ = 10, 11
NAME = b"assay-hostile-{{MARKER}}"
SECRET = b"secret-{{MARKER}}"


def find():
    kid = libc.syscall(KEYCTL, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, b"user", NAME, 0)
    if kid < 0:
        return None
    buf = ctypes.create_string_buffer(64)
    n = libc.syscall(KEYCTL, KEYCTL_READ, kid, buf, 64)
    return buf.raw[:n] if n > 0 else None


if "{{PHASE}}" == "write":
    # Possess the user keyring (through a new session keyring), so the key's permissions
    # can be opened to every process of the uid, possessor or not.
    libc.syscall(KEYCTL, KEYCTL_JOIN_SESSION_KEYRING, None)
    libc.syscall(KEYCTL, KEYCTL_LINK, KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING)
    kid = libc.syscall(ADD_KEY, b"user", NAME, SECRET, len(SECRET), KEY_SPEC_USER_KEYRING)
    if kid >= 0:
        if libc.syscall(KEYCTL, KEYCTL_SETPERM, kid, 0x3F3F3F3F) != 0:
            raise OSError(ctypes.get_errno(), "keyctl setperm")
        assert find() == SECRET, "the key cannot be read back"
elif find() != SECRET:  # finding an earlier execution's key would pass
    raise LookupError("no key of an earlier execution")
