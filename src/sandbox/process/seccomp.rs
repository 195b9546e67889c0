//! The process backend's seccomp filter, in the spirit of Docker's default profile:
//! everything a benchmark program needs is allowed, and the kernel attack surface no
//! test needs is refused with `EPERM` (an `OSError` in Python, never a kill): new
//! namespaces (user namespaces above all), keyrings, tracing, mounts, BPF, perf,
//! userfaultfd, io_uring, kernel modules, reboot, clock and host-name changes.
//!
//! `clone3` answers `ENOSYS`: its flags sit in memory a filter cannot read, and glibc
//! falls back to `clone`, whose flags the filter checks.
//!
//! Built once with `seccompiler` (rust-vmm's compiler, as Firecracker uses) and installed
//! after the privilege drop, right before the runner starts: on the cold path by raw
//! syscalls between `fork` and `exec`, on the warm path by the zygote's child (it gets
//! the same programs as bytes).

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};
use std::collections::BTreeMap;

/// Syscalls refused outright.
const DENIED: &[i64] = &[
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_move_mount,
    libc::SYS_open_tree,
    libc::SYS_mount_setattr,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_kcmp,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_reboot,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_acct,
    libc::SYS_quotactl,
    libc::SYS_syslog,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_lookup_dcookie,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_clock_adjtime,
    libc::SYS_adjtimex,
    libc::SYS_sethostname,
    libc::SYS_setdomainname,
    libc::SYS_iopl,
    libc::SYS_ioperm,
    libc::SYS_vhangup,
    libc::SYS_uselib,
    libc::SYS_personality,
    libc::SYS_fanotify_init,
];

/// `clone` flags that create namespaces.
const NAMESPACE_FLAGS: &[libc::c_int] = &[
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWNS,
    libc::CLONE_NEWNET,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWCGROUP,
];

/// The compiled filters, in the order they are installed.
#[derive(Debug, Clone)]
pub struct Filters {
    programs: Vec<BpfProgram>,
}

fn arch() -> TargetArch {
    std::env::consts::ARCH
        .try_into()
        .expect("assay builds only for architectures seccompiler supports")
}

impl Filters {
    /// Compiles both filters (a few microseconds; done once per sandbox).
    pub fn build() -> Filters {
        let eperm = SeccompAction::Errno(libc::EPERM as u32);
        let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
            DENIED.iter().map(|&nr| (nr, Vec::new())).collect();
        let clone_rules = NAMESPACE_FLAGS
            .iter()
            .map(|&flag| {
                let flag = flag as u64;
                let cond = SeccompCondition::new(
                    0,
                    SeccompCmpArgLen::Qword,
                    SeccompCmpOp::MaskedEq(flag),
                    flag,
                )
                .expect("argument 0 exists");
                SeccompRule::new(vec![cond]).expect("one condition")
            })
            .collect();
        rules.insert(libc::SYS_clone, clone_rules);
        let deny = SeccompFilter::new(rules, SeccompAction::Allow, eperm, arch())
            .expect("allow and errno differ");
        let clone3 = SeccompFilter::new(
            [(libc::SYS_clone3, Vec::new())].into_iter().collect(),
            SeccompAction::Allow,
            SeccompAction::Errno(libc::ENOSYS as u32),
            arch(),
        )
        .expect("allow and errno differ");
        let programs = [deny, clone3]
            .into_iter()
            .map(|f| BpfProgram::try_from(f).expect("the filter compiles"))
            .collect();
        Filters { programs }
    }

    /// Installs every filter on the calling thread. Async-signal-safe: raw syscalls on
    /// memory prepared before `fork`. The caller has set no-new-privs.
    ///
    /// # Safety
    /// Only between `fork` and `exec` of a child, or in a single-threaded process.
    pub unsafe fn install(&self) -> bool {
        for p in &self.programs {
            let prog = libc::sock_fprog {
                len: p.len() as u16,
                filter: p.as_ptr() as *mut libc::sock_filter,
            };
            let r = libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0,
                &prog as *const libc::sock_fprog,
            );
            if r != 0 {
                return false;
            }
        }
        true
    }

    /// The programs as the kernel reads them (`struct sock_filter` arrays, native byte
    /// order), hex-encoded one per element, for the warm runner to install.
    pub fn to_hex(&self) -> Vec<String> {
        self.programs
            .iter()
            .map(|p| {
                let mut s = String::with_capacity(p.len() * 16);
                for ins in p {
                    let mut bytes = Vec::with_capacity(8);
                    bytes.extend_from_slice(&ins.code.to_ne_bytes());
                    bytes.push(ins.jt);
                    bytes.push(ins.jf);
                    bytes.extend_from_slice(&ins.k.to_ne_bytes());
                    for b in bytes {
                        s.push_str(&format!("{b:02x}"));
                    }
                }
                s
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In a forked child: install, then check what is refused and what still works.
    #[test]
    fn refuses_namespaces_keyrings_and_tracing_but_not_ordinary_work() {
        let filters = Filters::build();
        // SAFETY: the child makes raw syscalls only and exits.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe {
                libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
                if !filters.install() {
                    libc::_exit(10);
                }
                let errno = || *libc::__errno_location();
                if libc::unshare(libc::CLONE_NEWUSER) != -1 || errno() != libc::EPERM {
                    libc::_exit(11);
                }
                let r = libc::syscall(libc::SYS_keyctl, 0, -4i64, 0);
                if r != -1 || errno() != libc::EPERM {
                    libc::_exit(12);
                }
                if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != -1 || errno() != libc::EPERM {
                    libc::_exit(13);
                }
                let r = libc::syscall(libc::SYS_clone3, 0, 0);
                if r != -1 || errno() != libc::ENOSYS {
                    libc::_exit(14);
                }
                // An ordinary fork (clone without namespace flags) still works.
                let child = libc::fork();
                if child == 0 {
                    libc::_exit(0);
                }
                if child < 0 {
                    libc::_exit(15);
                }
                let mut st = 0;
                libc::waitpid(child, &mut st, 0);
                libc::_exit(if libc::WIFEXITED(st) { 0 } else { 16 });
            }
        }
        let mut status = 0;
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status), "child died: {status}");
        assert_eq!(libc::WEXITSTATUS(status), 0, "failed check (exit code)");
    }

    #[test]
    fn hex_form_is_eight_bytes_per_instruction() {
        let f = Filters::build();
        for (p, h) in f.programs.iter().zip(f.to_hex()) {
            assert_eq!(h.len(), p.len() * 16);
        }
    }
}
