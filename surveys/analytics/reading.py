"""Words for the numbers: labels of flags and groups, and a plain-language reading of a summary
for trainers who are not statisticians ("Điểm trung bình tăng từ 39% lên 60%...").

Numbers are formatted for the reader's language (decimal comma in Vietnamese).
"""
from __future__ import annotations

import functools
import math

from babel import numbers
from flask_babel import format_decimal as _babel_format_decimal, get_locale, gettext as _, lazy_gettext as _l

from surveys.analytics import stats

ALPHA = stats.ALPHA
MIN_DISCRIMINATION_N = stats.MIN_DISCRIMINATION_N
LOW_RELIABILITY = 0.5  # below this the test's items do not measure one thing consistently

FLAG_LABELS = {
    stats.FLAG_STILL_MISUNDERSTOOD: _l("vẫn chưa hiểu sau tập huấn"),
    stats.FLAG_KNOWN_BEFORE: _l("đã biết từ trước"),
    stats.FLAG_PROBLEMATIC: _l("câu hỏi có vấn đề"),
    stats.FLAG_GOT_WORSE: _l("sau tập huấn lại sai nhiều hơn"),
    stats.FLAG_IMPROVED: _l("tiến bộ rõ rệt"),
    stats.FLAG_NOT_ANSWERED: _l("chưa ai trả lời"),
}

WILCOXON_METHODS = {"exact": _l("phân phối chính xác"), "normal": _l("xấp xỉ chuẩn")}

DIMENSION_LABELS = {
    "sex": _l("Giới tính"),
    "ethnicity": _l("Dân tộc"),
    "age_band": _l("Nhóm tuổi"),
    "village": _l("Thôn, bản"),
    "commune": _l("Xã, phường"),
    "topic": _l("Chủ đề"),
}
SEX_LABELS = {"F": _l("Nữ"), "M": _l("Nam"), "O": _l("Khác")}
AGE_BAND_LABELS = {"<18": _l("Dưới 18 tuổi"), "18-29": _l("18–29 tuổi"), "30-44": _l("30–44 tuổi"),
                   "45-59": _l("45–59 tuổi"), "60+": _l("Từ 60 tuổi")}
UNKNOWN_LABEL = _l("Không rõ")


def group_label(dimension: str, label: str) -> str:
    """Display name of a breakdown group (codes such as "F" or "60+" become words)."""
    if label == "unknown":
        return str(UNKNOWN_LABEL)
    if dimension == "sex":
        return str(SEX_LABELS.get(label, label))
    if dimension == "age_band":
        return str(AGE_BAND_LABELS.get(label, label))
    return label


def flag_labels(flags: list[str]) -> list[str]:
    return [str(FLAG_LABELS[f]) for f in flags if f in FLAG_LABELS]


# ---------------------------------------------------------------- numbers
@functools.lru_cache(maxsize=4096)
def _formatted(value, _sign: float, pattern: str, locale) -> str:
    return numbers.format_decimal(value, format=pattern, locale=locale)


def format_decimal(value, format: str) -> str:  # noqa: A002 - Flask-Babel's name and signature
    """Flask-Babel's ``format_decimal``, remembered for plain ints and floats: a results page
    formats thousands of numbers (scores, shares, p-values) from a small set of values, and
    Babel's formatting costs ~25 µs each. The sign is part of the key (-0.0 == 0.0 prints "-0")."""
    if (type(value) is float or type(value) is int) and (locale := get_locale()) is not None:
        return _formatted(value, math.copysign(1.0, value), format, locale)
    return _babel_format_decimal(value, format=format)


def pct(value, digits: int = 0) -> str:
    """39.4 -> "39%" ("—" when unknown)."""
    if value is None:
        return "—"
    return format_decimal(round(value, digits), format="#,##0" + ("." + "0" * digits if digits else "")) + "%"


def dec(value, digits: int = 2) -> str:
    """0.3512 -> "0,35" in Vietnamese, "0.35" in English ("—" when unknown)."""
    if value is None:
        return "—"
    return format_decimal(round(value, digits) + 0.0, format="#,##0." + "0" * digits)  # + 0.0: no "-0,00"


def num(value) -> str:
    """5.0 -> "5", 2.5 -> "2,5": scores without trailing zeros."""
    return "—" if value is None else format_decimal(value, format="#,##0.##")


def p_value(p, label: bool = True) -> str:
    """"p = 0,050", "p = 0,0031" ... two significant digits, "p < 0,001" below (without ``label``:
    "0,050", "< 0,001"), so 0.0497 and 0.0504 both read 0,050 and the words beside say which side
    of 0.05 they fall."""
    if p is None:
        return "—"
    if p < 0.001:
        text = "< " + format_decimal(0.001, format="0.000")
        return "p " + text if label else text
    rounded = float(f"{p:.2g}")
    decimals = max(1, 1 - math.floor(math.log10(rounded)))
    text = format_decimal(rounded, format="0." + "0" * decimals)
    return "p = " + text if label else text


def interval(low, high, digits: int = 2) -> str:
    """" [0,12; 0,56]" ("" when unknown), to follow a figure."""
    if low is None or high is None:
        return ""
    return f" [{dec(low, digits)}; {dec(high, digits)}]"


def hake_level(g) -> str | None:
    """Hake (1998): low below 0.3, medium to 0.7, high from 0.7."""
    if g is None:
        return None
    if g < 0:
        return _("điểm giảm")
    if g < 0.3:
        return _("mức thấp")
    if g < 0.7:
        return _("mức trung bình")
    return _("mức cao")


# ---------------------------------------------------------------- sentences
def summary_reading(n_pre: int, n_post: int, n_matched: int, summary: dict) -> list[str]:
    """Sentences a trainer can read aloud: attrition, direction and significance of the change,
    normalised gain and, when low, the test's reliability."""
    if n_matched == 0:
        return [_("Chưa có ai làm cả bài trước và bài sau tập huấn nên chưa so sánh được."),
                _("%(pre)d người làm bài trước, %(post)d người làm bài sau.", pre=n_pre, post=n_post)]
    lines = [_("%(pre)d người làm bài trước, %(post)d người làm bài sau; kết quả tính trên %(n)d người làm "
               "cả hai bài.", pre=n_pre, post=n_post, n=n_matched)]
    before, after = summary["pct_pre"], summary["pct_post"]
    if before is None:  # a test of attitude questions only
        return [*lines, _("Bài kiểm tra không có câu hỏi tính điểm; xem phần câu hỏi thái độ.")]
    if after > before:
        change = _("Điểm trung bình tăng từ %(pre)s lên %(post)s", pre=pct(before), post=pct(after))
    elif after < before:
        change = _("Điểm trung bình giảm từ %(pre)s xuống %(post)s", pre=pct(before), post=pct(after))
    else:
        change = _("Điểm trung bình không đổi (%(pre)s)", pre=pct(before))
    p = summary["paired_t_p"]
    lines.extend(_attrition_lines(summary))
    if p is None:
        if n_matched < 2:
            test = _("chưa đủ người để kiểm định thống kê")
        elif summary["mean_gain"]:
            test = _("mọi người đều thay đổi như nhau nên không cần kiểm định")
        else:
            test = _("không ai thay đổi điểm")
    elif p < ALPHA:
        test = (_("mức tăng có ý nghĩa thống kê (%(p)s)", p=p_value(p)) if after > before
                else _("mức giảm có ý nghĩa thống kê (%(p)s)", p=p_value(p)))
    else:
        test = _("chưa có bằng chứng rõ về thay đổi (%(p)s)", p=p_value(p))
        if summary.get("detectable_gain") is not None:
            test += _("; với %(n)d người, chỉ phát hiện được mức thay đổi khoảng %(x)s điểm trở lên",
                      n=n_matched, x=dec(summary["detectable_gain"], 1))
    lines.append(f"{change}; {test}.")
    lines.extend(_test_basis(summary))
    g = summary["hake_g"]
    if g is not None:
        lines.append(_("Hệ số tiến bộ chuẩn hóa (Hake g) = %(g)s%(ci)s: %(level)s.", g=dec(g),
                       ci=interval(summary.get("hake_g_ci_low"), summary.get("hake_g_ci_high")), level=hake_level(g)))
    # After a good training most answers are right and the post-test coefficient drops by itself
    # (little variance left), so only warn when neither test reaches the threshold.
    known = [k for k in (summary.get("kr20_pre"), summary.get("kr20_post")) if k is not None]
    kr = max(known) if known else None
    if kr is not None and kr < LOW_RELIABILITY:
        lines.append(_("Độ tin cậy của bài kiểm tra thấp (hệ số %(k)s): các câu hỏi chưa đo cùng một hiểu biết, "
                       "nên xem lại các câu bị đánh dấu “câu hỏi có vấn đề”.", k=dec(kr)))
    return lines


def _test_basis(summary: dict) -> list[str]:
    """Which test the sentence above relies on, and whether the Wilcoxon test agrees."""
    p, pw = summary["paired_t_p"], summary.get("wilcoxon_p")
    if p is None or pw is None:
        return []
    method = WILCOXON_METHODS.get(summary.get("wilcoxon_method"), "")
    if (p < ALPHA) == (pw < ALPHA):
        return [_("Kết luận dựa trên kiểm định t cặp đôi; kiểm định dấu hạng Wilcoxon (%(method)s) cho cùng kết luận "
                  "(%(p)s).", method=method, p=p_value(pw))]
    return [_("Kết luận dựa trên kiểm định t cặp đôi, nhưng kiểm định dấu hạng Wilcoxon (%(method)s, không giả định "
              "phân phối chuẩn) cho kết luận khác (%(p)s): nên thận trọng khi báo cáo mức thay đổi này.",
              method=method, p=p_value(pw))]


def _attrition_lines(summary: dict) -> list[str]:
    share = summary.get("share_one_test")
    if not share:
        return []
    lines = [_("%(share)s người tham gia chỉ làm một bài nên không được tính.", share=pct(100 * share))]
    p = summary.get("attrition_p")
    if p is not None and p < ALPHA:
        lines.append(_("Người chỉ làm bài trước có điểm bài trước khác rõ với người làm cả hai bài (%(a)s so với "
                       "%(b)s điểm; %(p)s): kết quả có thể không đại diện cho cả lớp.",
                       a=dec(summary["mean_pre_pre_only"], 1), b=dec(summary["mean_pre_completers"], 1),
                       p=p_value(p)))
    return lines


def items_reading(items: list[dict]) -> list[str]:
    """One sentence per warning flag that occurs, naming the questions ("Câu 2, Câu 5")."""
    lines = []
    for flag, sentence in (
        (stats.FLAG_STILL_MISUNDERSTOOD, _l("Vẫn chưa hiểu sau tập huấn (rõ ràng chưa tới một nửa lớp biết đáp án, "
                                            "đã trừ phần trả lời đúng do đoán): %(items)s.")),
        (stats.FLAG_GOT_WORSE, _l("Sau tập huấn lại sai nhiều hơn: %(items)s; nên xem lại cách giảng.")),
        (stats.FLAG_PROBLEMATIC, _l("Câu hỏi có vấn đề (rõ ràng người hiểu bài lại hay trả lời sai): %(items)s; "
                                    "nên xem lại cách hỏi hoặc đáp án.")),
        (stats.FLAG_KNOWN_BEFORE, _l("Đã biết từ trước (trên 90%% đúng ngay từ đầu): %(items)s.")),
    ):
        numbers = [item["no"] for item in items if flag in item["flags"]]
        if numbers:
            lines.append(str(sentence) % {"items": ", ".join(_("Câu %(no)d", no=n) for n in sorted(numbers))})
    return lines
