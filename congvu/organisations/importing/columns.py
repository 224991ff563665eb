"""The columns of the import workbooks: keys, labels, help text and examples."""

from __future__ import annotations

from dataclasses import dataclass

from ..import_models import ImportJob

Kind = ImportJob.Kind


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    label_en: str
    required: bool
    help: str
    example: str
    width: int = 18
    text: bool = False  # stored as text in the template so Excel keeps leading zeros


ORG_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Mã định danh",
        "Code",
        True,
        "Mã định danh điện tử của cơ quan (chữ, số, dấu chấm, gạch ngang, gạch chéo; "
        "tối đa 40 ký tự). Mã đã có thì dòng này cập nhật cơ quan đó.",
        "H56.02.03",
        16,
        True,
    ),
    Column(
        "name", "Tên", "Name", True, "Tên đầy đủ của cơ quan, đơn vị.", "Phòng Bổ trợ tư pháp", 40
    ),
    Column("short_name", "Tên viết tắt", "Short name", False, "Không bắt buộc.", "P.BTTP"),
    Column(
        "kind",
        "Mã loại",
        "Kind code",
        True,
        "Mã loại cơ quan, xem bảng mã loại bên dưới.",
        "division",
    ),
    Column(
        "parent",
        "Mã cơ quan cấp trên",
        "Parent code",
        False,
        "Bắt buộc khi tạo mới: mã một cơ quan đã có trong phạm vi của bạn hoặc một dòng "
        "khác trong tệp. Không dùng để chuyển cơ quan đã có sang cấp trên khác.",
        "H56.02",
        20,
        True,
    ),
    Column(
        "valid_from",
        "Hiệu lực từ",
        "Valid from",
        False,
        "Ngày dạng dd/mm/yyyy; để trống là hôm nay. Chỉ dùng khi tạo mới.",
        "01/07/2025",
        14,
        True,
    ),
)

STAFF_COLUMNS: tuple[Column, ...] = (
    Column(
        "staff_code",
        "Mã cán bộ",
        "Staff code",
        True,
        "Mã duy nhất của cán bộ (chữ, số, dấu chấm, gạch ngang, gạch chéo; tối đa 40 ký tự). "
        "Mã đã có thì dòng này cập nhật cán bộ đó.",
        "STP-0001",
        14,
        True,
    ),
    Column("full_name", "Họ và tên", "Full name", True, "Họ và tên đầy đủ.", "Nguyễn Thị Hoa", 28),
    Column(
        "category",
        "Loại",
        "Category",
        True,
        "Cán bộ, Công chức, Viên chức hoặc Người lao động (có dấu hoặc không dấu).",
        "Công chức",
        16,
    ),
    Column("position_title", "Chức vụ", "Position", False, "Không bắt buộc.", "Chuyên viên", 22),
    Column(
        "is_leader",
        "Lãnh đạo",
        "Leader",
        False,
        "Có hoặc Không; để trống là Không.",
        "Không",
        10,
    ),
    Column(
        "organisation",
        "Mã cơ quan",
        "Organisation code",
        True,
        "Mã định danh của cơ quan nơi cán bộ công tác, trong phạm vi của bạn.",
        "H56.02",
        16,
        True,
    ),
    Column(
        "division",
        "Mã phòng/bộ phận",
        "Division code",
        False,
        "Không bắt buộc; phải là phòng, bộ phận thuộc cơ quan ở cột trước.",
        "H56.02.01",
        18,
        True,
    ),
    Column("email", "Thư điện tử", "E-mail", False, "Không bắt buộc.", "hoa@example.gov.vn", 26),
    Column("phone", "Điện thoại", "Phone", False, "Không bắt buộc.", "0912345678", 14, True),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    Kind.ORGANISATIONS: ORG_COLUMNS,
    Kind.STAFF: STAFF_COLUMNS,
}
SHEET_TITLES: dict[str, str] = {Kind.ORGANISATIONS: "Cơ quan", Kind.STAFF: "Cán bộ"}
