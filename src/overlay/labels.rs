//! The overlay's words in Vietnamese and English (`overlay.language`). No
//! Khmer here: egui cannot shape it.

use crate::config::OverlayLanguage;

/// One label in both languages.
#[derive(Debug, Clone, Copy)]
pub struct L(pub &'static str, pub &'static str);

impl L {
    pub fn get(self, lang: OverlayLanguage) -> &'static str {
        match lang {
            OverlayLanguage::Vi => self.0,
            OverlayLanguage::En => self.1,
        }
    }
}

pub const TITLE: L = L("Quản trị infokiosk", "infokiosk admin");
pub const ENTER_PIN: L = L("Nhập mã PIN rồi nhấn Enter", "Type the PIN and press Enter");
pub const WRONG_PIN: L = L("Sai mã PIN. Số lần thử còn lại:", "Wrong PIN. Tries left:");
pub const LOCKED: L = L(
    "Đã khóa vì nhập sai mã PIN nhiều lần. Mở lại lúc",
    "Locked after too many wrong PINs. Opens again at",
);
pub const SECONDS_LEFT: L = L("giây nữa", "seconds to go");
pub const NO_PIN: L = L(
    "Chưa đặt mã PIN nên không mở được bảng quản trị.",
    "No PIN is set, so the admin overlay stays shut.",
);
pub const NO_PIN_HOW: L = L(
    "Để đặt mã PIN, trên máy này chạy lệnh sau rồi khởi động lại infokiosk:",
    "To set one, run this on this PC, then restart infokiosk:",
);
pub const ESC_CLOSES: L = L("Esc: đóng", "Esc: close");
pub const KEYS_HINT: L = L(
    "Tab / mũi tên: di chuyển · Enter: chọn · F1–F5: trang · PgUp/PgDn: cuộn · Esc: đóng",
    "Tab / arrows: move · Enter: choose · F1–F5: pages · PgUp/PgDn: scroll · Esc: close",
);
pub const CLOSE: L = L("Đóng", "Close");

pub const PAGE_NOW: L = L("F1 Hiện tại", "F1 Now");
pub const PAGE_CONTENT: L = L("F2 Nội dung", "F2 Content");
pub const PAGE_HEALTH: L = L("F3 Tình trạng", "F3 Health");
pub const PAGE_CONTROLS: L = L("F4 Điều khiển", "F4 Controls");
pub const PAGE_EMERGENCY: L = L("F5 Khẩn cấp", "F5 Emergency");

pub const SCREEN: L = L("Màn hình", "Screen");
pub const OPEN: L = L("ĐANG MỞ", "OPEN");
pub const CLOSED: L = L("ĐANG TẮT", "CLOSED");
pub const WHY: L = L("Lý do", "Why");
pub const NEXT_CHANGE: L = L("Thay đổi kế tiếp", "Next change");
pub const NONE: L = L("không có", "none");
pub const OVERRIDE: L = L("Lệnh khẩn cấp", "Override");
pub const OVERRIDE_OFF: L = L("Màn hình TẮT", "Screen OFF");
pub const OVERRIDE_ON: L = L("Màn hình BẬT", "Screen ON");
pub const UNTIL: L = L("đến", "until");
pub const UNTIL_CLEARED: L = L("đến khi hủy", "until cleared");
pub const BY: L = L("bởi", "by");
pub const PLAYING: L = L("Đang phát", "Playing");
pub const NOTHING_PLAYING: L = L("không có mục nào đang phát", "nothing on screen");
pub const LANGUAGE: L = L("Ngôn ngữ", "Language");
pub const POSITION: L = L("Vị trí", "Position");
pub const PAUSED: L = L("TẠM DỪNG", "PAUSED");
pub const VOLUME: L = L("Âm lượng", "Volume");
pub const NEXT_ITEMS: L = L("5 mục tiếp theo", "Next 5 items");

pub const ITEMS_BY_KIND: L = L("Số mục theo loại và ngôn ngữ", "Items by kind and language");
pub const KIND: L = L("Loại", "Kind");
pub const TOTAL: L = L("Tổng", "Total");
pub const IMAGE: L = L("Ảnh", "Image");
pub const VIDEO: L = L("Video", "Video");
pub const TEXT: L = L("Văn bản", "Text");
pub const REJECTED: L = L("Tệp không được phát", "Files not played");
pub const LAST_CHANGE: L = L(
    "Thay đổi gần nhất trong thư mục",
    "Last change in the folder",
);
pub const LAST_SCAN: L = L("Lần quét gần nhất", "Last full rescan");
pub const WATCHING: L = L("Theo dõi thay đổi tệp", "Watching file events");
pub const YES: L = L("có", "yes");
pub const NO: L = L("không", "no");
pub const PENDING: L = L("Đang chờ ghi xong", "Still being written");
pub const MANIFEST_ERROR: L = L("Lỗi playlist.yaml", "playlist.yaml error");

pub const UPTIME: L = L("Thời gian chạy", "Uptime");
pub const PLAYER: L = L("trình phát", "player");
pub const PC: L = L("máy", "PC");
pub const FREE_SPACE: L = L("Dung lượng trống", "Free space");
pub const CONTENT_FOLDER: L = L("thư mục nội dung", "content folder");
pub const DATA_FOLDER: L = L("thư mục dữ liệu", "data folder");
pub const JOURNAL: L = L("Nhật ký", "Journal");
pub const DISPLAY: L = L("Nguồn màn hình", "Display power");
pub const LAST_COMMAND: L = L("lệnh cuối", "last command");
pub const OK: L = L("thành công", "ok");
pub const FAILED: L = L("lỗi", "failed");
pub const SELF_TEST: L = L("Chạy tự kiểm tra", "Run the self-test");
pub const LOOK_BACK: L = L(
    "Lúc đó màn hình hiện gì? (24 giờ qua)",
    "What was on screen at? (last 24 h)",
);
pub const LOOK_BACK_HINT: L = L("Giờ địa phương, ví dụ 09:15", "Local time, e.g. 09:15");
pub const LOOK_BACK_GO: L = L("Xem", "Look");
pub const LOOK_BACK_RUNNING: L = L("Đang đọc nhật ký…", "Reading the journal…");
pub const SELF_TEST_RUNNING: L = L("Đang kiểm tra…", "Checking…");
pub const RECENT_PROBLEMS: L = L("Cảnh báo và lỗi gần đây", "Recent warnings and errors");

pub const PREVIOUS: L = L("Mục trước", "Previous");
pub const PAUSE: L = L("Tạm dừng", "Pause");
pub const RESUME: L = L("Tiếp tục phát", "Resume");
pub const NEXT: L = L("Mục tiếp", "Next");
pub const VOLUME_DOWN: L = L("Giảm âm lượng", "Volume down");
pub const VOLUME_UP: L = L("Tăng âm lượng", "Volume up");
pub const MUTE: L = L("Tắt tiếng", "Mute");
pub const UNMUTE: L = L("Bật tiếng", "Unmute");
pub const RELOAD: L = L("Quét lại nội dung ngay", "Reload content now");
pub const QUIT: L = L("Thoát chương trình", "Quit the player");
pub const QUIT_AGAIN: L = L(
    "Nhấn lần nữa để thoát (màn hình sẽ không phát nữa)",
    "Press again to quit (the screen stops playing)",
);

pub const FOR: L = L("Thời hạn", "For");
pub const ONE_HOUR: L = L("1 giờ", "1 hour");
pub const TO_NEXT_CHANGE: L = L("Đến lần đổi lịch kế tiếp", "Until the next schedule change");
pub const REASON: L = L("Lý do (bắt buộc)", "Reason (required)");
pub const REQUESTED_BY: L = L(
    "Theo yêu cầu của (đơn vị, văn bản)",
    "Requested by (office, order)",
);
pub const NOT_ALLOWED: L = L(
    "Vai trò này không được phép làm việc đó",
    "This role may not do that",
);
pub const PAGE_NOT_ALLOWED: L = L(
    "Trang này không dành cho vai trò của bạn",
    "This page is not open to your role",
);
pub const WHO: L = L("Người dùng", "User");
pub const SCREEN_OFF: L = L("TẮT màn hình ngay", "Screen OFF now");
pub const SCREEN_ON: L = L("BẬT màn hình ngay", "Screen ON now");
pub const CLEAR_OVERRIDE: L = L("Hủy lệnh khẩn cấp", "Clear the override");
pub const NEED_REASON: L = L("Hãy nhập lý do trước.", "Type a reason first.");
pub const SENT: L = L("Đã thực hiện", "Done");
