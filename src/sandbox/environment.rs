//! The environment every execution gets, on every backend: the one definition (the
//! docker images set only what running them by hand needs; the harness passes this when
//! it creates a container).

/// The fixed environment of every execution (the docker backend puts the image's venv
/// first on `PATH`).
pub(crate) const ENVIRONMENT: &[(&str, &str)] = &[
    ("PATH", "/usr/local/bin:/usr/bin:/bin"),
    ("HOME", "/tmp"),
    ("TMPDIR", "/tmp"),
    ("PYTHONHASHSEED", "0"),
    ("PYTHONDONTWRITEBYTECODE", "1"),
    ("TZ", "UTC"),
    ("LANG", "C.UTF-8"),
    ("LC_ALL", "C.UTF-8"),
    ("OMP_NUM_THREADS", "1"),
    ("OPENBLAS_NUM_THREADS", "1"),
    ("MKL_NUM_THREADS", "1"),
    // glibc reserves a 64 MB malloc arena per thread, which under RLIMIT_AS makes a few
    // threads look like hundreds of MB (and differently in a forked warm child than in a
    // fresh interpreter). Two arenas keep thread costs small and the same on both paths.
    ("MALLOC_ARENA_MAX", "2"),
];
