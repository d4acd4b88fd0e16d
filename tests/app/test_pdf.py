"""Official PDF layout (Decree 30/2020/ND-CP) and the locked-down resource fetcher."""

import logging
import os
import re
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import segno
from flask import Flask, render_template_string
from jinja2 import ChoiceLoader, DictLoader

from app.pdf import init_app, official_date_line, render_pdf
from app.pdf_fetcher import ForbiddenResource, StaticOnlyFetcher

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / 'app' / 'static'
PT_PER_MM = 72 / 25.4

SAMPLE_CONTEXT = {
    'parent_body': 'Hội LHPN tỉnh Thái Nguyên',
    'issuing_body': 'Hội LHPN xã Chợ Đồn',
    'number': '05/BB-HLHPN',
    'place': 'Chợ Đồn',
    'doc_date': date(2025, 9, 5),
    'doc_type': 'Biên bản',
    'subject': 'Hội nghị đối thoại chính sách giữa người đứng đầu cấp ủy, '
               'chính quyền xã với hội viên, phụ nữ',
    'signers': [('Thư ký', 'Triệu Thị Mai'), ('Chủ trì', 'Hoàng Văn Thắng')],
    'recipients': ['Hội LHPN tỉnh Thái Nguyên (b/c)', 'Đảng ủy, UBND xã Chợ Đồn',
                   'Lưu: VT, Hội LHPN xã'],
}


@pytest.fixture
def pdf_app(app):
    with app.app_context():
        yield app


@pytest.fixture
def sample_pdf(pdf_app, tmp_path):
    path = tmp_path / 'sample.pdf'
    path.write_bytes(render_pdf('pdf/sample.html', **SAMPLE_CONTEXT))
    return path


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def words_by_page(path):
    """[(page_number, text, xMin, yMin, xMax, yMax)] from ``pdftotext -bbox`` (y from the top)."""
    words, page = [], 0
    for line in run('pdftotext', '-bbox', str(path), '-').splitlines():
        if '<page ' in line:
            page += 1
        elif m := re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line):
            words.append((page, m[5], *map(float, m.groups()[:4])))
    return words


def test_sample_is_a4_portrait_with_several_pages(sample_pdf):
    boxes = re.findall(r'MediaBox:\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)',
                       run('pdfinfo', '-box', '-l', '99', str(sample_pdf)))
    assert len(boxes) >= 2
    for x0, y0, x1, y1 in boxes:
        assert abs(float(x1) - float(x0) - 595.28) < 1 and abs(float(y1) - float(y0) - 841.89) < 1


def test_sample_text_has_header_lines_and_vietnamese_diacritics(sample_pdf):
    text = unicodedata.normalize('NFC', run('pdftotext', '-layout', str(sample_pdf), '-'))
    for expected in ['HỘI LHPN TỈNH THÁI NGUYÊN', 'HỘI LHPN XÃ CHỢ ĐỒN', 'Số: 05/BB-HLHPN',
                     'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc',
                     'Chợ Đồn, ngày 05 tháng 9 năm 2025', 'BIÊN BẢN', 'Hội nghị đối thoại',
                     'THƯ KÝ', 'CHỦ TRÌ', 'Triệu Thị Mai', 'Hoàng Văn Thắng', 'Nơi nhận:',
                     '- Lưu: VT, Hội LHPN xã.', 'Nà Pài', 'tảo hôn', 'Khuổi Nộc']:
        assert expected in text


def test_sample_embeds_only_liberation_serif(sample_pdf):
    rows = run('pdffonts', str(sample_pdf)).splitlines()[2:]
    fonts = {row.split()[0].split('+')[-1]: row.split()[-5] for row in rows}
    assert fonts and all(name.startswith('Liberation-Serif') for name in fonts), fonts
    assert set(fonts.values()) == {'yes'}  # the "emb" column
    assert {'Liberation-Serif', 'Liberation-Serif-Bold', 'Liberation-Serif-Italic'} <= set(fonts)


def test_text_stays_inside_decree_margins(sample_pdf):
    words = words_by_page(sample_pdf)
    assert min(w[2] for w in words) >= 30 * PT_PER_MM - 0.1  # left 30 mm (85 pt)
    assert max(w[4] for w in words) <= 595.28 - 20 * PT_PER_MM + 0.1  # right 20 mm


def test_page_number_centred_in_top_margin_except_on_page_one(sample_pdf):
    top_margin, centre = 20 * PT_PER_MM, (30 * PT_PER_MM + 595.28 - 20 * PT_PER_MM) / 2
    in_top_margin = [w for w in words_by_page(sample_pdf) if w[5] <= top_margin]
    assert [w for w in in_top_margin if w[0] == 1] == []
    page_two = [w for w in in_top_margin if w[0] == 2]
    assert [w[1] for w in page_two] == ['2']
    assert abs((page_two[0][2] + page_two[0][4]) / 2 - centre) < 3


@pytest.mark.parametrize('url', [
    'file:///etc/passwd',
    STATIC.as_uri() + '/../pdf.py',
    STATIC.as_uri() + '/fonts/../../../templates/pdf/sample.html',
    'file://evil.example/share/x.png',
    'http://example.com/x.png',
    'https://example.com/x.css',
    'ftp://example.com/x.png',
])
def test_fetcher_refuses_anything_outside_static(url):
    with pytest.raises(ForbiddenResource):
        StaticOnlyFetcher(STATIC).fetch(url)


def test_fetcher_refuses_symlink_out_of_static(tmp_path):
    (tmp_path / 'secret.txt').write_text('secret')
    (tmp_path / 'static').mkdir()
    os.symlink(tmp_path / 'secret.txt', tmp_path / 'static' / 'link.txt')
    with pytest.raises(ForbiddenResource):
        StaticOnlyFetcher(tmp_path / 'static').fetch((tmp_path / 'static' / 'link.txt').as_uri())


def test_fetcher_serves_static_files():
    font = STATIC / 'fonts' / 'LiberationSerif-Regular.ttf'
    response = StaticOnlyFetcher(STATIC).fetch(font.as_uri())
    assert response.read() == font.read_bytes()


def test_render_skips_forbidden_resources_but_keeps_inline_data(pdf_app, tmp_path, monkeypatch, caplog):
    outside_png = tmp_path / 'outside.png'
    segno.make('outside').save(outside_png, scale=4)
    refused = ['file:///etc/passwd', os.path.relpath(outside_png, STATIC), outside_png.as_uri(),
               'http://example.com/x.png']
    snippet = ('{% extends "pdf/_official.html" %}{% block body %}<p>Nội dung thử</p>'
               '{% for url in refused %}<img src="{{ url }}">{% endfor %}'
               '<link rel="stylesheet" href="http://example.com/x.css">'
               '<img src="{{ qr }}">{% endblock %}')
    monkeypatch.setattr(pdf_app.jinja_env, 'loader',
                        ChoiceLoader([DictLoader({'snippet.html': snippet}), pdf_app.jinja_env.loader]))
    with caplog.at_level(logging.ERROR, logger='weasyprint'):
        data = render_pdf('snippet.html', refused=refused, qr=segno.make('inline').png_data_uri(),
                          **SAMPLE_CONTEXT)
    path = tmp_path / 'snippet.pdf'
    path.write_bytes(data)
    assert 'Nội dung thử' in run('pdftotext', str(path), '-')
    images = run('pdfimages', '-list', str(path)).splitlines()[2:]
    assert len(images) == 1  # the inline QR code only
    assert 'root:' not in data.decode('latin-1')
    failures = ' '.join(record.getMessage() for record in caplog.records)
    for url in ['/etc/passwd', 'outside.png', 'example.com/x.png', 'example.com/x.css']:
        assert url in failures


@pytest.mark.parametrize(('day', 'expected'), [
    (date(2024, 1, 5), 'Chợ Đồn, ngày 05 tháng 01 năm 2024'),
    (date(2024, 2, 29), 'Chợ Đồn, ngày 29 tháng 02 năm 2024'),
    (date(2023, 9, 28), 'Chợ Đồn, ngày 28 tháng 9 năm 2023'),
    (date(2025, 12, 1), 'Chợ Đồn, ngày 01 tháng 12 năm 2025'),
])
def test_official_date_line(day, expected):
    assert official_date_line('Chợ Đồn', day) == expected


def test_date_filters(pdf_app):
    rendered = render_template_string("{{ d|official_date('Chợ Mới') }} | {{ d|dmy }}", d=date(2025, 3, 7))
    assert rendered == 'Chợ Mới, ngày 07 tháng 3 năm 2025 | 07/03/2025'

