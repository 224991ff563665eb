"""Readable names of audit actions and of the kinds of object they touch.

An action is stored as written by the service that recorded it ("case.accepted");
the log shows a Vietnamese label (English through the translations), grouped by the
part before the dot. An action without a label here is shown as written: a new
service's events are never hidden, only less readable until a label is added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.apps import apps
from django.utils.translation import gettext_lazy as _

GROUPS: Final[Mapping[str, Any]] = {
    "accounts": _("Tài khoản, phân quyền"),
    "organisations": _("Cơ quan, đơn vị"),
    "staff": _("Cán bộ"),
    "import": _("Nhập từ Excel"),
    "conduct": _("Quy tắc ứng xử"),
    "planning": _("Kế hoạch, nhiệm vụ"),
    "acknowledgement": _("Quán triệt, xác nhận quy tắc"),
    "dissemination": _("Quán triệt, tuyên truyền"),
    "report": _("Báo cáo định kỳ"),
    "report_period": _("Báo cáo định kỳ"),
    "feedback": _("Hồ sơ, quầy một cửa"),
    "rating": _("Đánh giá của người dân"),
    "case": _("Vụ việc"),
    "cases": _("Quy định xử lý phản ánh"),
    "inspection": _("Kiểm tra công vụ"),
    "inspection_programme": _("Kế hoạch kiểm tra năm"),
    "scorecard": _("Chấm điểm, xếp hạng"),
    "audit": _("Nhật ký hoạt động"),
    "demo": _("Dữ liệu mẫu"),
}

ACTIONS: Final[Mapping[str, Any]] = {
    "accounts.create_user": _("Tạo tài khoản"),
    "accounts.grant_role": _("Cấp quyền"),
    "accounts.revoke_grant": _("Thu hồi quyền"),
    "accounts.deactivate_user": _("Khóa tài khoản"),
    "accounts.reactivate_user": _("Mở lại tài khoản"),
    "accounts.reset_password": _("Đặt lại mật khẩu"),
    "accounts.change_password": _("Đổi mật khẩu"),
    "accounts.create_api_token": _("Tạo mã truy cập API"),
    "accounts.revoke_api_token": _("Thu hồi mã truy cập API"),
    "accounts.two_factor_on": _("Đăng nhập hai bước: bật"),
    "accounts.two_factor_off": _("Đăng nhập hai bước: tắt"),
    "accounts.two_factor_reset": _("Đặt lại đăng nhập hai bước"),
    "accounts.two_factor_app_remove": _("Gỡ ứng dụng xác thực (giữ khóa truy cập)"),
    "accounts.recovery_codes_renew": _("Tạo mã dự phòng đăng nhập mới"),
    "accounts.recovery_code_used": _("Đăng nhập bằng mã dự phòng"),
    "accounts.trusted_browser_add": _("Ghi nhớ trình duyệt (bỏ qua mã đăng nhập)"),
    "accounts.trusted_browser_forget": _("Quên trình duyệt đã ghi nhớ"),
    "accounts.passkey_add": _("Thêm khóa truy cập (passkey)"),
    "accounts.passkey_rename": _("Đổi tên khóa truy cập (passkey)"),
    "accounts.passkey_remove": _("Gỡ khóa truy cập (passkey)"),
    "organisations.create": _("Tạo cơ quan"),
    "organisations.rename": _("Đổi tên cơ quan"),
    "organisations.rename_withdrawn": _("Rút lại việc đổi tên chờ hiệu lực"),
    "organisations.move": _("Chuyển cơ quan cấp trên"),
    "organisations.merge": _("Hợp nhất cơ quan"),
    "organisations.split": _("Chia tách cơ quan"),
    "organisations.dissolve": _("Giải thể cơ quan"),
    "organisations.handover": _("Chuyển công việc đang làm cho cơ quan kế thừa"),
    "staff.create": _("Thêm cán bộ"),
    "staff.update": _("Sửa thông tin cán bộ"),
    "staff.leave": _("Cán bộ nghỉ việc, chuyển đi"),
    "staff.rotate_badge": _("Cấp lại mã QR thẻ"),
    "staff.badge_sheet": _("In thẻ cán bộ (tệp PDF)"),
    "staff.badge_sheet_delete": _("Xóa tệp in thẻ cán bộ"),
    "staff.badge_sheet_download": _("Tải tệp in thẻ cán bộ"),
    "staff.conduct_record_export": _("Xuất hồ sơ văn hóa công vụ của cán bộ (Excel)"),
    "import.commit": _("Nhập dữ liệu từ Excel"),
    "conduct.version.create": _("Tạo phiên bản quy tắc"),
    "conduct.version.edit": _("Sửa phiên bản quy tắc"),
    "conduct.version.activate": _("Áp dụng phiên bản quy tắc"),
    "conduct.version.retire": _("Ngừng áp dụng phiên bản quy tắc"),
    "conduct.version.delete": _("Xóa phiên bản quy tắc"),
    "conduct.section.add": _("Thêm mục quy tắc"),
    "conduct.section.edit": _("Sửa mục quy tắc"),
    "conduct.section.delete": _("Xóa mục quy tắc"),
    "conduct.clause.add": _("Thêm chuẩn mực"),
    "conduct.clause.edit": _("Sửa chuẩn mực"),
    "conduct.clause.delete": _("Xóa chuẩn mực"),
    "planning.plan_create": _("Tạo kế hoạch"),
    "planning.plan_update": _("Sửa kế hoạch"),
    "planning.task_create": _("Tạo nhiệm vụ"),
    "planning.task_update": _("Sửa nhiệm vụ"),
    "planning.task_close": _("Đóng nhiệm vụ"),
    "planning.sync": _("Giao nhiệm vụ cho cơ quan"),
    "planning.progress_update": _("Cập nhật tiến độ"),
    "planning.progress_confirm": _("Xác nhận hoàn thành"),
    "planning.extension_request": _("Xin gia hạn"),
    "planning.extension_approve": _("Đồng ý gia hạn"),
    "planning.extension_refuse": _("Không đồng ý gia hạn"),
    "acknowledgement.record": _("Ghi nhận xác nhận quy tắc"),
    "acknowledgement.self": _("Cán bộ tự xác nhận quy tắc"),
    "report_period.create": _("Tạo kỳ báo cáo"),
    "report_period.open": _("Mở lại kỳ báo cáo"),
    "report_period.closed": _("Đóng kỳ báo cáo"),
    "report_period.update": _("Sửa kỳ báo cáo"),
    "report.create": _("Tạo báo cáo"),
    "report.edit": _("Sửa báo cáo"),
    "report.refresh": _("Cập nhật số liệu báo cáo"),
    "report.submit": _("Nộp báo cáo"),
    "report.return": _("Trả lại báo cáo để bổ sung"),
    "report.accept": _("Tiếp nhận báo cáo"),
    "dissemination.record": _("Ghi nhận buổi quán triệt"),
    "dissemination.edit": _("Sửa buổi quán triệt"),
    "dissemination.attendance": _("Cập nhật danh sách tham dự buổi quán triệt"),
    "feedback.dossier_register": _("Đăng ký hồ sơ"),
    "feedback.dossiers_register": _("Đăng ký nhiều hồ sơ"),
    "feedback.counter_create": _("Tạo quầy một cửa"),
    "feedback.counter_update": _("Sửa quầy một cửa"),
    "feedback.counter_rotate_token": _("Đổi mã QR của quầy"),
    "rating.include": _("Giữ đánh giá bị gắn cờ"),
    "rating.exclude": _("Loại đánh giá bị gắn cờ"),
    "case.create": _("Tiếp nhận phản ánh"),
    "case.accepted": _("Thụ lý vụ việc"),
    "case.rejected": _("Không thụ lý vụ việc"),
    "case.investigating": _("Bắt đầu xác minh"),
    "case.concluded": _("Kết luận vụ việc"),
    "case.closed": _("Đóng vụ việc"),
    "case.note": _("Ghi chú nội bộ"),
    "case.to_reporter": _("Trả lời người phản ánh"),
    "case.to_subject": _("Gửi người bị phản ánh"),
    "case.reporter_information": _("Người phản ánh bổ sung"),
    "case.subject_statement": _("Giải trình của người bị phản ánh"),
    "case.extend": _("Gia hạn vụ việc"),
    "case.link_duplicate": _("Gộp vụ việc trùng"),
    "case.erase_identity": _("Xóa danh tính người phản ánh"),
    "case.identity_reveal": _("Xem danh tính người phản ánh (có lý do)"),
    "case.discipline_propose": _("Đề xuất kỷ luật"),
    "case.discipline_decide": _("Quyết định kỷ luật"),
    "case.discipline_withdraw": _("Rút đề xuất kỷ luật"),
    "case.assign": _("Giao cán bộ xử lý vụ việc"),
    "case.reassign": _("Giao lại cán bộ xử lý vụ việc"),
    "case.route": _("Chuyển vụ việc cho cơ quan kế thừa xử lý"),
    "case.unassign": _("Thôi giao cán bộ xử lý vụ việc"),
    "case.unattended_notice": _("Báo Sở Nội vụ vụ việc chưa có người xử lý"),
    "case.auto_assign": _("Tự động giao vụ việc cho người nhận mặc định"),
    "case.default_handler_set": _("Đặt người nhận vụ việc mặc định"),
    "case.default_handler_clear": _("Bỏ người nhận vụ việc mặc định"),
    "case.default_handler_lost": _("Người nhận vụ việc mặc định mất quyền (tự động bỏ)"),
    "case.tag": _("Gắn nhãn vụ việc"),
    "case.untag": _("Bỏ nhãn vụ việc"),
    "case.signed_paper_recorded": _("Ghi bản đã ký của văn bản kết luận"),
    "case.signed_paper_replaced": _("Thay bản đã ký của văn bản kết luận"),
    "case.export": _("Xuất danh sách vụ việc (Excel)"),
    "case.export_download": _("Tải tệp xuất danh sách vụ việc"),
    "case.export_delete": _("Xóa tệp xuất danh sách vụ việc"),
    "cases.tag_create": _("Tạo nhãn vụ việc"),
    "cases.tag_update": _("Sửa nhãn vụ việc"),
    "cases.routing_rule_create": _("Tạo quy tắc chuyển xử lý"),
    "cases.routing_rule_update": _("Sửa quy tắc chuyển xử lý"),
    "cases.routing_rule_move": _("Đổi thứ tự quy tắc chuyển xử lý"),
    "cases.clock_update": _("Sửa thời hạn xử lý"),
    "cases.discipline_form_update": _("Sửa hình thức kỷ luật"),
    "inspection.plan": _("Lên kế hoạch kiểm tra"),
    "inspection.replan": _("Sửa kế hoạch kiểm tra (ngày, đoàn, nội dung)"),
    "inspection.programme_item_cancelled": _(
        "Hủy mục kế hoạch kiểm tra năm (cơ quan đã sáp nhập, giải thể)"
    ),
    "inspection.in_progress": _("Bắt đầu kiểm tra"),
    "inspection.concluded": _("Kết luận kiểm tra"),
    "inspection.cancelled": _("Hủy cuộc kiểm tra"),
    "inspection.observe": _("Ghi phiếu kiểm tra"),
    "inspection.open_case": _("Mở vụ việc từ vi phạm"),
    "inspection.corrective_action": _("Yêu cầu khắc phục"),
    "inspection.respond": _("Cơ quan trả lời khắc phục"),
    "inspection.attach_proof": _("Đính kèm minh chứng khắc phục"),
    "inspection.remove_file": _("Gỡ tệp minh chứng"),
    "inspection.signed_paper_recorded": _("Ghi bản đã ký của văn bản kiểm tra"),
    "inspection.signed_paper_replaced": _("Thay bản đã ký của văn bản kiểm tra"),
    "inspection_programme.create": _("Tạo kế hoạch kiểm tra năm"),
    "inspection_programme.item_add": _("Thêm cơ quan vào kế hoạch kiểm tra"),
    "inspection_programme.item_change": _("Sửa mục kế hoạch kiểm tra"),
    "inspection_programme.item_remove": _("Bỏ mục kế hoạch kiểm tra"),
    "inspection_programme.approve": _("Phê duyệt kế hoạch kiểm tra năm"),
    "inspection_programme.items_add": _("Thêm nhiều cơ quan vào kế hoạch kiểm tra"),
    "inspection_programme.amendment_open": _("Mở điều chỉnh kế hoạch kiểm tra"),
    "inspection_programme.change_add": _("Đề xuất thêm cơ quan (điều chỉnh)"),
    "inspection_programme.change_cancel": _("Đề xuất hủy mục kế hoạch (điều chỉnh)"),
    "inspection_programme.change_reschedule": _("Đề xuất đổi thời gian (điều chỉnh)"),
    "inspection_programme.change_withdraw": _("Bỏ đề xuất điều chỉnh"),
    "inspection_programme.amendment_approve": _("Phê duyệt điều chỉnh kế hoạch kiểm tra"),
    "inspection_programme.amendment_abandon": _("Hủy bỏ dự thảo điều chỉnh kế hoạch kiểm tra"),
    "inspection_programme.amendment_restore": _("Khôi phục dự thảo điều chỉnh kế hoạch kiểm tra"),
    "inspection_programme.changes_add": _("Đề xuất thêm nhiều cơ quan (điều chỉnh)"),
    "inspection_programme.changes_cancel": _("Đề xuất hủy nhiều mục kế hoạch (điều chỉnh)"),
    "inspection_programme.changes_reschedule": _("Đề xuất đổi thời gian nhiều mục (điều chỉnh)"),
    "scorecard.create": _("Tạo bảng chấm điểm"),
    "scorecard.update": _("Sửa bảng chấm điểm"),
    "scorecard.compute": _("Tính điểm"),
    "scorecard.publish": _("Công bố xếp hạng"),
    "scorecard.delete": _("Xóa bảng chấm điểm"),
    "audit.verify_request": _("Yêu cầu kiểm tra chuỗi nhật ký"),
    "audit.export": _("Tải nhật ký hoạt động (CSV)"),
    "demo.load": _("Nạp dữ liệu mẫu"),
}


def action_label(action: str) -> str:
    """The action's readable name, or the action as written when it has none."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def group_label(action: str) -> str:
    prefix = action.partition(".")[0]
    label = GROUPS.get(prefix)
    return str(label) if label is not None else prefix


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The labelled actions as grouped choices (a select's optgroups), in the user's language."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action in ACTIONS:
        groups.setdefault(group_label(action), []).append((action, action_label(action)))
    return [(group, sorted(items, key=lambda item: item[1])) for group, items in groups.items()]


def object_type_label(object_type: str) -> str:
    """The model's name ("cases.caseevent" → "sự kiện vụ việc"), or the type as written."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


def object_type_choices() -> list[tuple[str, str]]:
    """The product's models, by their readable names."""
    choices = [
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("congvu.")
    ]
    return sorted(choices, key=lambda choice: choice[1])
