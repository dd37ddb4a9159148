"""The demo's fixed data: credentials, banks, outlets, holidays, districts, reasons, pictures."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from sscard.backoffice.roles import staff_groups_ensure
from sscard.employers import review
from sscard.partners.models import Partner
from sscard.photos.samples import sample_portrait
from sscard.photos.uploads import HardenedFile
from sscard.regions.models import Bank

SEED = 2026
MARKER_USERNAME = "demo_admin"
DEMO_PASSWORD = "Sscard-demo-2026"  # noqa: S105 — published demo credentials
STAFF_PASSWORD = "Sscard-staff-2026!"  # noqa: S105 — published demo credentials
DEMO_SERVICE_PASSWORD = "135790"  # noqa: S105 — 社保服务密码 of the named demo cards
BULK_SERVICE_PASSWORD = "246813"  # noqa: S105 — 社保服务密码 of every other demo card


# the banks' public customer-service numbers
BANKS = (
    ("ICBC", "中国工商银行", "95588"),
    ("ABC", "中国农业银行", "95599"),
    ("BOC", "中国银行", "95566"),
    ("CCB", "中国建设银行", "95533"),
    ("JYRCB", "广东揭阳农村商业银行", "0663-96138"),
)

# code, name, district, address, phone, bank
# fmt: off
OUTLETS = (
    ("RC01", "中国工商银行揭阳分行营业部", "榕城区",
     "揭阳市榕城区临江北路38号", "0663-8223456", "ICBC"),
    ("RC02", "揭阳农商银行榕城支行", "榕城区",
     "揭阳市榕城区进贤门大道中段128号", "0663-8667788", "JYRCB"),
    ("JD01", "中国农业银行揭阳揭东支行", "揭东区",
     "揭阳市揭东区曲溪街道金溪大道东段18号", "0663-3288520", "ABC"),
    ("JX01", "中国建设银行揭西支行", "揭西县",
     "揭阳市揭西县河婆街道大洋路66号", "0663-5522301", "CCB"),
    ("HL01", "中国银行惠来支行", "惠来县",
     "揭阳市惠来县惠城镇葵山路102号", "0663-6678123", "BOC"),
    ("PN01", "揭阳农商银行普宁流沙支行", "普宁市",
     "揭阳市普宁市流沙大道西段200号", "0663-2233889", "JYRCB"),
    ("PN02", "中国工商银行普宁支行", "普宁市",
     "揭阳市普宁市广达北路9号", "0663-2812345", "ICBC"),
)
# fmt: on
OPENING_HOURS = "周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）"

# The calendar package ships official data up to 2026; the administrator's table carries 2027
# until the State Council publishes it.
HOLIDAYS_2027 = (
    (date(2027, 1, 1), "元旦"),
    (date(2027, 2, 8), "春节"),
    (date(2027, 2, 9), "春节"),
    (date(2027, 2, 10), "春节"),
    (date(2027, 2, 11), "春节"),
    (date(2027, 2, 12), "春节"),
    (date(2027, 4, 5), "清明节"),
    (date(2027, 5, 3), "劳动节"),
    (date(2027, 5, 4), "劳动节"),
    (date(2027, 5, 5), "劳动节"),
)
PROVISIONAL = "（暂定，待国务院办公厅公布后核对）"

# area code of the ID number → district, postcode, streets
# fmt: off
DISTRICTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "445202": ("榕城区", "522000", ("临江北路", "进贤门大道", "新阳路", "东山大道", "马牙路",
                                    "天福路", "榕华大道", "环市北路", "仙桥街道仙滘村")),
    "445203": ("揭东区", "515500", ("金溪大道", "揭东大道", "曲溪街道城西路", "锡场镇锡西村",
                                    "新亨镇新亨大道")),
    "445222": ("揭西县", "515400", ("河婆街道大洋路", "河婆街道环市北路", "棉湖镇兴华路",
                                    "钱坑镇钱东村", "凤江镇新兴路")),
    "445224": ("惠来县", "515200", ("惠城镇葵山路", "惠城镇惠来大道", "神泉镇港口路",
                                    "靖海镇新港路", "隆江镇隆华路")),
    "445281": ("普宁市", "515300", ("流沙大道", "广达北路", "环城北路", "占陇镇占陇大道",
                                    "洪阳镇宝镜路", "梅塘镇梅中路")),
}
# fmt: on
AREA_WEIGHTS = {"445202": 3, "445203": 2, "445222": 2, "445224": 2, "445281": 3}

# fmt: off
OCCUPATIONS = (
    "教师", "医生", "护士", "工程师", "会计", "个体经营", "公司职员", "销售", "司机", "厨师",
    "工人", "农民", "公务员", "自由职业", "退休", "电工", "快递员", "设计师", "餐饮服务",
)
# fmt: on
RETURN_REASONS = (
    ("证件照背景非白色，请重新上传1寸白底免冠彩色电子证件照", "photo"),
    ("通讯地址不完整，请补充门牌号", "address"),
    ("证件照面部不清晰，请重新上传", "photo"),
)
REJECT_REASONS = (
    ("所填证件号码与公安户籍信息不一致，请核对后重新申请", "identity"),
    ("经核查申领人已在外地持有社会保障卡，请先注销原卡", "has_card"),
    ("提交的证件照非本人照片", "false_material"),
)
# the reason category of each kind of correction above (ReturnReason)
RETURN_CODES = {"photo": "photo", "address": "info_mismatch", "delivery": "delivery"}
FAILURE_REASONS = (
    "芯片个人化写入失败",
    "照片质量不合格，制卡厂退回",
    "银行开户信息校验失败",
)
# The published TOTP secret of the demo staff accounts (base32 DEMO_TOTP_SECRET below): add
# it to an authenticator app, or run ``manage.py staff_totp demo_reviewer --code``.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 — published demo credential


def partner_label(bank: Bank) -> str:
    """How the demo's batches name the bank system that took them over: the bank client the
    partner simulator creates for ``bank`` (``manage.py simulate_partners``)."""
    return f"{Partner.Kind.BANK.label}：{bank.name}接口"


def ensure_role_groups() -> dict[str, Group]:
    """The staff role groups of the back office (created by its data migration), reset to
    their explicit permissions. Safe to run again."""
    return staff_groups_ensure()


def portrait_jpeg() -> bytes:
    """A real 358×441 white-background card photo (every upload is checked against the spec)."""
    return sample_portrait()


def scan_jpeg(title_lines: int) -> bytes:
    """A drawn stand-in for a scanned document page."""
    image = Image.new("RGB", (800, 560), (246, 243, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 770, 530), outline=(120, 60, 60), width=3)
    for row in range(title_lines):
        draw.rectangle(
            (70, 80 + row * 52, 730 - (row % 3) * 120, 96 + row * 52), fill=(150, 150, 160)
        )
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def licence_scan() -> HardenedFile:
    """A drawn stand-in for a scanned 营业执照, hardened as an upload would be."""
    scan = SimpleUploadedFile("营业执照.jpg", scan_jpeg(7), content_type="image/jpeg")
    return review.licence_prepare(scan)


def area_code(district: str) -> str:
    """The ID-number area code of a district of :data:`DISTRICTS`."""
    return next(code for code, (name, _p, _s) in DISTRICTS.items() if name == district)
