//! systemd's service notifications (`sd_notify`) without libsystemd: one
//! datagram per state change to the socket named by `$NOTIFY_SOCKET`.
//!
//! The protocol is newline-separated `KEY=VALUE` assignments in a single
//! datagram; the socket is a file path or, with a leading `@`, a Linux
//! abstract socket. Sending never blocks the render loop for long (datagrams
//! to a local socket) and a failure is only logged by the caller: a kiosk
//! must not stop playing because systemd went away.

use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::sync::Arc;
use std::time::Duration;

/// One notification to the service manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Start-up is finished: the first frame is on screen.
    Ready,
    /// The main loop is alive (resets the `WatchdogSec=` timer).
    Watchdog,
    /// A one-line status for `systemctl status`.
    Status(String),
    /// Shutting down on purpose.
    Stopping,
}

impl Notice {
    /// The datagram's text. A status is kept on one line, since a newline
    /// would start a new assignment.
    pub fn message(&self) -> String {
        match self {
            Notice::Ready => "READY=1".into(),
            Notice::Watchdog => "WATCHDOG=1".into(),
            Notice::Status(text) => format!("STATUS={}", text.replace(['\n', '\r'], " ")),
            Notice::Stopping => "STOPPING=1".into(),
        }
    }
}

/// Where notifications go: the service manager's socket.
#[derive(Debug, Clone)]
pub struct Notifier {
    socket: Arc<UnixDatagram>,
    target: SocketAddr,
}

impl Notifier {
    /// The notifier for `$NOTIFY_SOCKET`, or `None` when the player was not
    /// started by systemd with `Type=notify` (or the socket is unusable; the
    /// reason is logged).
    pub fn from_env() -> Option<Self> {
        let name = std::env::var("NOTIFY_SOCKET").ok()?;
        match Self::connect(&name) {
            Ok(notifier) => Some(notifier),
            Err(e) => {
                tracing::warn!("NOTIFY_SOCKET={name}: {e}; not notifying systemd");
                None
            }
        }
    }

    /// A notifier for a socket named as in `$NOTIFY_SOCKET`: an absolute
    /// path, or `@name` for an abstract socket.
    pub fn connect(name: &str) -> io::Result<Self> {
        let target = if let Some(abstract_name) = name.strip_prefix('@') {
            SocketAddr::from_abstract_name(abstract_name.as_bytes())?
        } else if name.starts_with('/') {
            SocketAddr::from_pathname(name)?
        } else {
            // systemd ≥ 254 may also hand out `vsock:` addresses (for
            // virtual machines); a kiosk PC never gets one.
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a path or an abstract socket name",
            ));
        };
        let socket = UnixDatagram::unbound()?;
        // A full receive queue must not stall the render loop.
        socket.set_write_timeout(Some(Duration::from_millis(100)))?;
        Ok(Self {
            socket: Arc::new(socket),
            target,
        })
    }

    pub fn send(&self, notice: &Notice) -> io::Result<()> {
        self.socket
            .send_to_addr(notice.message().as_bytes(), &self.target)
            .map(drop)
    }
}

/// The watchdog timeout systemd enforces (`WatchdogSec=`), from
/// `$WATCHDOG_USEC`; `None` when there is no watchdog.
///
/// `sd_watchdog_enabled()` also requires `$WATCHDOG_PID` to be this process.
/// Here it never is: the unit's main process is `xinit`, and the player is
/// the session script's child, so systemd names xinit's PID. The variable is
/// inherited through xinit and the session script on purpose, and with
/// `NotifyAccess=all` systemd accepts the pings from any process of the
/// service, so the interval is honoured whatever `$WATCHDOG_PID` says.
pub fn watchdog_interval() -> Option<Duration> {
    parse_watchdog_usec(&std::env::var("WATCHDOG_USEC").ok()?)
}

/// `WATCHDOG_USEC`'s value as a duration; zero or garbage is no watchdog.
pub fn parse_watchdog_usec(value: &str) -> Option<Duration> {
    let micros: u64 = value.trim().parse().ok()?;
    (micros > 0).then(|| Duration::from_micros(micros))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// A socket standing in for systemd's, and the name to give the player.
    fn listener(dir: &std::path::Path) -> (UnixDatagram, String) {
        let path = dir.join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        (socket, path.to_str().unwrap().to_owned())
    }

    fn receive(socket: &UnixDatagram) -> String {
        let mut buf = [0u8; 4096];
        let n = socket.recv(&mut buf).expect("a notification arrives");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[test]
    fn each_notice_arrives_as_one_datagram_on_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let (systemd, name) = listener(dir.path());
        let notifier = Notifier::connect(&name).unwrap();
        for notice in [
            Notice::Ready,
            Notice::Watchdog,
            Notice::Status("open: playing welcome.vi.png\nsecond line".into()),
            Notice::Stopping,
        ] {
            notifier.send(&notice).unwrap();
        }
        assert_eq!(receive(&systemd), "READY=1");
        assert_eq!(receive(&systemd), "WATCHDOG=1");
        assert_eq!(
            receive(&systemd),
            "STATUS=open: playing welcome.vi.png second line"
        );
        assert_eq!(receive(&systemd), "STOPPING=1");
    }

    #[test]
    fn an_abstract_socket_is_named_with_an_at_sign() {
        let name = format!("infokiosk-test-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let systemd = UnixDatagram::bind_addr(&addr).unwrap();
        systemd
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Notifier::connect(&format!("@{name}"))
            .unwrap()
            .send(&Notice::Watchdog)
            .unwrap();
        assert_eq!(receive(&systemd), "WATCHDOG=1");
    }

    #[test]
    fn relative_names_are_refused() {
        assert!(Notifier::connect("notify.sock").is_err());
        assert!(Notifier::connect("vsock:2:1234").is_err());
    }

    #[test]
    fn watchdog_usec_is_read_as_microseconds() {
        assert_eq!(
            parse_watchdog_usec("30000000"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_watchdog_usec("0"), None);
        assert_eq!(parse_watchdog_usec("soon"), None);
    }

    /// Runs [`child_reports_what_systemd_told_it`] in a child process with
    /// the environment systemd gives the player under xinit: the socket, a
    /// watchdog interval, and a `WATCHDOG_PID` that is not the child's.
    #[test]
    fn a_child_of_the_session_notifies_from_its_environment() {
        let dir = tempfile::tempdir().unwrap();
        let (systemd, name) = listener(dir.path());
        let status = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "health::notify::tests::child_reports_what_systemd_told_it",
                "--test-threads=1",
            ])
            .env("NOTIFY_SOCKET", &name)
            .env("WATCHDOG_USEC", "30000000")
            .env("WATCHDOG_PID", "1")
            .env("INFOKIOSK_TEST_NOTIFY_CHILD", "1")
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        assert_eq!(receive(&systemd), "STATUS=watchdog 30s");
        assert_eq!(receive(&systemd), "READY=1");
    }

    /// The child's half of the test above; does nothing in a normal run.
    #[test]
    fn child_reports_what_systemd_told_it() {
        if std::env::var_os("INFOKIOSK_TEST_NOTIFY_CHILD").is_none() {
            return;
        }
        let notifier = Notifier::from_env().expect("NOTIFY_SOCKET is set");
        let interval = watchdog_interval().expect("WATCHDOG_USEC is honoured");
        notifier
            .send(&Notice::Status(format!("watchdog {interval:?}")))
            .unwrap();
        notifier.send(&Notice::Ready).unwrap();
    }
}
