//! The sandbox's filesystem view, as nsjail or bubblewrap give it: a fresh tmpfs root
//! with read-only binds of what Python needs (`/usr` and the merged-`/usr` links, the
//! interpreter's prefix, the profiles' virtual environments, a few files of `/etc`), a
//! `/dev` with only the safe nodes, its own `/proc` (with `hidepid`, so the sandbox uid
//! sees only its own processes), private `/tmp` and `/var/tmp`. Nothing of the host's
//! `/run`, `/var`, `/home`, `/root`, `/sys` or sockets exists inside, and the mount table
//! lists only these.
//!
//! The plan is computed once on the host (allocating); `apply` runs it in the sandbox's
//! init between `fork` and `exec` with raw syscalls only, then `pivot_root`s into it.

use std::ffi::CString;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// Where the new root is assembled before `pivot_root` (inside the private mount
/// namespace the host's `/tmp` is merely covered).
const STAGE: &str = "/tmp";

/// Top-level entries bound (or re-linked, for merged-`/usr` symlinks) from the host.
const TOP: &[&str] = &["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"];

/// What of `/etc` Python and its libraries read (the loader cache, time zone, TLS roots,
/// Debian's `python3.*` and alternatives links, name-service files for `localhost`).
const ETC: &[&str] = &[
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "ssl",
    "alternatives",
    "hosts",
    "host.conf",
    "nsswitch.conf",
    "protocols",
    "services",
    "mime.types",
];

/// Device nodes that are safe to share.
const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom"];

const PASSWD: &str = "root:x:0:0:root:/root:/usr/sbin/nologin\n\
                      nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
const GROUP: &str = "root:x:0:\nnogroup:x:65534:\n";

#[derive(Debug, Clone)]
enum Op {
    Dir(CString),
    /// An empty file to bind a file or device node onto.
    Touch(CString),
    Link {
        target: CString,
        path: CString,
    },
    /// Read-only bind of a host path (recursive for directories).
    BindRo {
        src: CString,
        dst: CString,
    },
    /// A device node, bound as it is (writable, e.g. `/dev/null`).
    BindDev {
        src: CString,
        dst: CString,
    },
    File {
        path: CString,
        content: CString,
    },
    Tmpfs {
        dst: CString,
        opts: CString,
    },
    Proc(CString),
}

/// The steps that build the root, prepared on the host.
#[derive(Debug, Clone)]
pub struct RootPlan {
    ops: Vec<Op>,
}

fn c(s: &str) -> CString {
    CString::new(s.replace('\0', "")).expect("no NUL after replace")
}

fn staged(path: &str) -> CString {
    c(&format!("{STAGE}{path}"))
}

struct Builder {
    ops: Vec<Op>,
    dirs: std::collections::BTreeSet<String>,
}

impl Builder {
    fn dir(&mut self, path: &str) {
        let mut at = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            at.push('/');
            at.push_str(part);
            if self.dirs.insert(at.clone()) {
                self.ops.push(Op::Dir(staged(&at)));
            }
        }
    }

    fn parent_of(&mut self, path: &str) {
        if let Some(parent) = Path::new(path).parent() {
            self.dir(&parent.to_string_lossy());
        }
    }

    /// Mirrors one host path at the same place: a symlink as a symlink, a directory or
    /// file as a read-only bind. Missing paths are skipped.
    fn mirror(&mut self, path: &str) {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        self.parent_of(path);
        if meta.file_type().is_symlink() {
            if let Ok(target) = std::fs::read_link(path) {
                self.ops.push(Op::Link {
                    target: c(&target.to_string_lossy()),
                    path: staged(path),
                });
            }
        } else if meta.is_dir() {
            self.dir(path);
            self.ops.push(Op::BindRo {
                src: c(path),
                dst: staged(path),
            });
        } else if meta.is_file() {
            self.ops.push(Op::Touch(staged(path)));
            self.ops.push(Op::BindRo {
                src: c(path),
                dst: staged(path),
            });
        }
    }

    /// Whether `path` is already inside something mirrored.
    fn covered(&self, path: &Path) -> bool {
        self.ops.iter().any(|op| match op {
            Op::BindRo { src, .. } => path.starts_with(src.to_string_lossy().as_ref()),
            _ => false,
        })
    }
}

impl RootPlan {
    /// The plan for an interpreter at `python` whose profiles' environments live under
    /// `venvs` (`/tmp`'s size is given to `apply`, per execution).
    pub fn new(python: &str, venvs: &Path) -> RootPlan {
        let mut b = Builder {
            ops: Vec::new(),
            dirs: Default::default(),
        };
        for top in TOP {
            b.mirror(&format!("/{top}"));
        }
        for name in ETC {
            b.mirror(&format!("/etc/{name}"));
        }
        if let Ok(entries) = std::fs::read_dir("/etc") {
            let mut debian: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("python3"))
                .collect();
            debian.sort();
            for name in debian {
                b.mirror(&format!("/etc/{name}"));
            }
        }
        b.dir("/etc");
        b.ops.push(Op::File {
            path: staged("/etc/passwd"),
            content: c(PASSWD),
        });
        b.ops.push(Op::File {
            path: staged("/etc/group"),
            content: c(GROUP),
        });
        // An interpreter outside /usr: its whole prefix (`<prefix>/bin/python3`).
        let real = std::fs::canonicalize(python).unwrap_or_else(|_| PathBuf::from(python));
        if !b.covered(&real) {
            if let Some(prefix) = real.parent().and_then(Path::parent) {
                b.mirror(&prefix.to_string_lossy());
            }
        }
        let venvs = venvs.to_string_lossy().into_owned();
        if !b.covered(Path::new(&venvs)) {
            b.mirror(&venvs);
        }
        b.dir("/dev");
        for node in DEVICES {
            let host = format!("/dev/{node}");
            let is_char = std::fs::metadata(&host).is_ok_and(|m| m.file_type().is_char_device());
            if is_char {
                b.ops.push(Op::Touch(staged(&host)));
                b.ops.push(Op::BindDev {
                    src: c(&host),
                    dst: staged(&host),
                });
            }
        }
        for (name, target) in [
            ("fd", "/proc/self/fd"),
            ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ] {
            b.ops.push(Op::Link {
                target: c(target),
                path: staged(&format!("/dev/{name}")),
            });
        }
        let small = c("size=1m,mode=1777");
        for dir in ["/dev/shm", "/var/tmp"] {
            b.dir(dir);
            b.ops.push(Op::Tmpfs {
                dst: staged(dir),
                opts: small.clone(),
            });
        }
        b.dir("/proc");
        b.ops.push(Op::Proc(staged("/proc")));
        b.dir("/tmp");
        RootPlan { ops: b.ops }
    }

    /// Builds the root and enters it. Runs as root in the sandbox's new mount namespace
    /// (already private) and PID namespace; `tmp_opts` are the tmpfs options of `/tmp`.
    /// Returns the name of the step that failed.
    ///
    /// # Safety
    /// Between `fork` and `exec`: raw syscalls on memory prepared before the fork.
    pub unsafe fn apply(&self, tmp_opts: &CString) -> Result<(), &'static std::ffi::CStr> {
        let tmpfs = c"tmpfs".as_ptr();
        let null: *const libc::c_char = std::ptr::null();
        let no_data: *const libc::c_void = std::ptr::null();
        let nosuid = libc::MS_NOSUID | libc::MS_NODEV;
        if libc::mount(
            tmpfs,
            c"/tmp".as_ptr(),
            tmpfs,
            nosuid,
            c"size=1m,mode=0755".as_ptr().cast(),
        ) != 0
        {
            return Err(c"mount the new root");
        }
        for op in &self.ops {
            let ok = match op {
                Op::Dir(p) => {
                    libc::mkdir(p.as_ptr(), 0o755) == 0 || *libc::__errno_location() == libc::EEXIST
                }
                Op::Touch(p) => {
                    let fd = libc::open(
                        p.as_ptr(),
                        libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                        0o644,
                    );
                    fd >= 0 && libc::close(fd) == 0
                }
                Op::Link { target, path } => libc::symlink(target.as_ptr(), path.as_ptr()) == 0,
                Op::BindRo { src, dst } => {
                    libc::mount(
                        src.as_ptr(),
                        dst.as_ptr(),
                        null,
                        libc::MS_BIND | libc::MS_REC,
                        no_data,
                    ) == 0
                        && libc::mount(
                            null,
                            dst.as_ptr(),
                            null,
                            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | nosuid,
                            no_data,
                        ) == 0
                }
                Op::BindDev { src, dst } => {
                    libc::mount(src.as_ptr(), dst.as_ptr(), null, libc::MS_BIND, no_data) == 0
                }
                Op::File { path, content } => {
                    let fd = libc::open(
                        path.as_ptr(),
                        libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                        0o644,
                    );
                    let b = content.to_bytes();
                    fd >= 0
                        && libc::write(fd, b.as_ptr().cast(), b.len()) == b.len() as isize
                        && libc::close(fd) == 0
                }
                Op::Tmpfs { dst, opts } => {
                    libc::mount(
                        tmpfs,
                        dst.as_ptr(),
                        tmpfs,
                        nosuid | libc::MS_NOEXEC,
                        opts.as_ptr().cast(),
                    ) == 0
                }
                Op::Proc(dst) => {
                    let proc_ = c"proc".as_ptr();
                    libc::mount(
                        proc_,
                        dst.as_ptr(),
                        proc_,
                        nosuid | libc::MS_NOEXEC,
                        c"hidepid=2".as_ptr().cast(),
                    ) == 0
                }
            };
            if !ok {
                return Err(c"build the new root");
            }
        }
        if libc::mount(
            tmpfs,
            c"/tmp/tmp".as_ptr(),
            tmpfs,
            nosuid,
            tmp_opts.as_ptr().cast(),
        ) != 0
        {
            return Err(c"mount tmpfs /tmp");
        }
        if libc::chdir(c"/tmp".as_ptr()) != 0
            || libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr()) != 0
        {
            return Err(c"pivot_root");
        }
        // The old root now sits under the new one at `.`: detach it.
        if libc::umount2(c".".as_ptr(), libc::MNT_DETACH) != 0 || libc::chdir(c"/".as_ptr()) != 0 {
            return Err(c"detach the old root");
        }
        if libc::mount(
            null,
            c"/".as_ptr(),
            null,
            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | nosuid,
            no_data,
        ) != 0
        {
            return Err(c"remount the root read-only");
        }
        Ok(())
    }
}
