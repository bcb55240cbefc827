//! Free space on the filesystem holding a folder (statvfs): one reading for
//! the self-test, the overlay and the office's status file.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Space on the filesystem holding a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSpace {
    /// Bytes an unprivileged process can still write.
    pub free: u64,
    pub total: u64,
}

/// Free and total bytes of the filesystem that holds `path`.
// `allow`, not `expect`: the conversions are needed where the statvfs
// fields are 32-bit, and useless only on 64-bit targets.
#[allow(
    clippy::useless_conversion,
    reason = "statvfs field widths differ between targets"
)]
pub fn disk_space(path: &Path) -> std::io::Result<DiskSpace> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is NUL-terminated and `stat` is writable memory of
    // the type statvfs fills in.
    if unsafe { libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it initialised `stat`.
    let stat = unsafe { stat.assume_init() };
    let block = u64::from(stat.f_frsize);
    Ok(DiskSpace {
        free: u64::from(stat.f_bavail).saturating_mul(block),
        total: u64::from(stat.f_blocks).saturating_mul(block),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temp_folder_has_a_size() {
        let space = disk_space(&std::env::temp_dir()).unwrap();
        assert!(space.total > 0 && space.free <= space.total);
        assert!(disk_space(Path::new("/no/such/folder")).is_err());
    }
}
