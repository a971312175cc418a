//! The server's file-descriptor budget (issue 15): every connection is a
//! descriptor, and the usual soft limit of 1024 let about a thousand idle or
//! header-less clients make `/healthz` unreachable. At start the soft `NOFILE`
//! limit is raised to the hard one, which is what the administrator (systemd's
//! `LimitNOFILE=`, `ulimit -Hn`) allows; Rocket's `keep_alive` bounds how long an
//! idle connection holds its descriptor, and a proxy in front bounds the rest
//! (docs/PROXIES.md).

/// Raises the soft open-file limit to the hard limit; returns the limit now in
/// force. A failure is reported and the server starts anyway, with what it has.
pub fn raise_open_file_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => Some(limit),
        Err(e) => {
            eprintln!("portcullis: cannot raise the open-file limit: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_soft_file_limit_is_raised_to_the_hard_limit() {
        let raised = raise_open_file_limit().expect("raised");
        let (soft, hard) = rlimit::Resource::NOFILE.get().unwrap();
        assert_eq!(soft, raised);
        // macOS caps the soft limit below an unlimited hard one.
        #[cfg(target_os = "linux")]
        assert_eq!(soft, hard);
        let _ = hard;
    }
}
