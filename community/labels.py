"""What each state and choice of the community models is called on screen."""
from flask_babel import lazy_gettext as _l

from app.models import Sex
from community.models import (ActivityForm, ActivityHost, ClubGroup, ClubSetting, GroupStatus, HostKind, SupportKind,
                              TeamRole)

TEAM_ROLES = {TeamRole.leader: _l("Tổ trưởng"), TeamRole.deputy: _l("Tổ phó"), TeamRole.member: _l("Thành viên")}
STATUSES = {GroupStatus.active: _l("Đang hoạt động"), GroupStatus.merged: _l("Đã sáp nhập"),
            GroupStatus.dissolved: _l("Đã giải thể")}
CLUB_SETTINGS = {ClubSetting.commune: _l("Ở xã"), ClubSetting.school: _l("Ở trường học")}
CLUB_GROUPS = {ClubGroup.boys: _l("Nhóm trẻ em trai"), ClubGroup.girls: _l("Nhóm trẻ em gái")}
HOST_KINDS = {HostKind.household: _l("Hộ gia đình"), HostKind.person: _l("Cá nhân"),
              HostKind.organisation: _l("Tổ chức")}
SUPPORT_KINDS = {SupportKind.shelter: _l("Tạm lánh"), SupportKind.counselling: _l("Tư vấn"),
                 SupportKind.referral: _l("Kết nối, chuyển gửi"), SupportKind.other: _l("Hỗ trợ khác")}
ACTIVITY_HOSTS = {ActivityHost.team: _l("Tổ truyền thông"), ActivityHost.club: _l("Câu lạc bộ"),
                  ActivityHost.address: _l("Địa chỉ tin cậy"), ActivityHost.union: _l("Hội phụ nữ")}
ACTIVITY_FORMS = {ActivityForm.meeting: _l("Sinh hoạt, họp"), ActivityForm.loudspeaker: _l("Loa truyền thanh"),
                  ActivityForm.home_visit: _l("Thăm hộ gia đình"), ActivityForm.online_group: _l("Nhóm trực tuyến")}
SEXES = {Sex.female: _l("Nữ"), Sex.male: _l("Nam"), Sex.other: _l("Khác")}
