//! Every export is read back with an independent reader: `csv`, `calamine`, `png`, `roxmltree`, `lopdf`.

use chrono::NaiveDate;
use inda_core::{Caveat, CaveatCode, ChartKind, ChartSpec, Column, ErrorCode, ResultSet, Value};
use inda_export::{
    ExportFormat, ExportItem, ExportOptions, Lang, export, export_titled, render_chart_png, render_chart_svg,
};
use std::path::Path;
use std::time::Instant;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A result with every cell type, and text that needs CSV quoting.
fn sales() -> ResultSet {
    let channels = ["email", "sms, promo", "say \"hi\"", "line1\nline2", "Año ñandú"];
    let rows = (0..channels.len())
        .map(|i| {
            let i64v = i as i64;
            vec![
                Value::Text(channels[i].to_string()),
                Value::Date(date(2026, 1, 1 + i as u32)),
                Value::Int(1000 * (i64v + 1)),
                Value::Decimal { units: 123_450 + i128::from(i64v), scale: 2 },
                Value::Float(0.25 + i as f64 / 10.0),
                Value::Bool(i % 2 == 0),
                Value::Timestamp(date(2026, 2, 1).and_hms_opt(13, 30, 0).expect("valid time")),
                if i == 0 { Value::Null } else { Value::Text(format!("n{i}")) },
            ]
        })
        .collect();
    ResultSet {
        columns: vec![
            Column::new("channel", "VARCHAR"),
            Column::new("day", "DATE"),
            Column::new("sent", "BIGINT"),
            Column::new("revenue", "DECIMAL(12,2)"),
            Column::new("delivery_rate", "DOUBLE"),
            Column::new("active", "BOOLEAN"),
            Column::new("updated_at", "TIMESTAMP"),
            Column::new("note", "VARCHAR"),
        ],
        rows,
        truncated: false,
    }
}

fn spec(kind: ChartKind, x: Option<&str>, y: &[&str]) -> ChartSpec {
    ChartSpec {
        kind,
        x: x.map(str::to_string),
        y: y.iter().map(|s| s.to_string()).collect(),
        series: None,
        title: None,
        percent: vec!["delivery_rate".to_string()],
        y2: vec![],
    }
}

fn item<'a>(title: &'a str, result: &'a ResultSet, chart: &'a ChartSpec) -> ExportItem<'a> {
    ExportItem {
        title,
        result,
        chart,
        sql: "SELECT channel, SUM(sent) FROM marts.fct_messages GROUP BY 1",
        as_of: "2026-03-01T10:00:00Z",
        caveats: &[],
    }
}

fn opts() -> ExportOptions {
    ExportOptions::default()
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    r.records().map(|rec| rec.expect("valid csv").iter().map(str::to_string).collect()).collect()
}

#[test]
fn format_names_parse_and_errors_list_choices() {
    for f in ExportFormat::ALL {
        assert_eq!(f.as_str().parse::<ExportFormat>().ok(), Some(f));
        assert_eq!(f.extension(), f.as_str());
    }
    assert_eq!(" XLSX ".parse::<ExportFormat>().ok(), Some(ExportFormat::Xlsx));
    let err = "docx".parse::<ExportFormat>().expect_err("unknown format");
    assert_eq!(err.code, ErrorCode::Usage);
    assert!(err.message.contains("csv, xlsx, png, svg, pdf"), "{}", err.message);
}

#[test]
fn csv_round_trips_with_quoting_and_optional_bom() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = sales();
    let chart = spec(ChartKind::Bar, Some("channel"), &["sent"]);
    let out = dir.path().join("sales.csv");
    let report = export(&[item("Sales", &rs, &chart)], ExportFormat::Csv, &out, &opts()).expect("export");
    assert_eq!(report.rows, 5);
    assert_eq!(report.path, out);
    let bytes = std::fs::read(&out).expect("read");
    assert_eq!(report.bytes, bytes.len() as u64);
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM unless asked");
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(text.starts_with("channel,day,sent,revenue,delivery_rate,active,updated_at,note\r\n"));
    assert!(
        text.contains("\"sms, promo\"")
            && text.contains("\"say \"\"hi\"\"\"")
            && text.contains("\"line1\nline2\"")
    );
    assert!(text.ends_with("\r\n"));
    let records = read_csv(&bytes);
    assert_eq!(records.len(), 6);
    assert_eq!(records[0], rs.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
    for (rec, row) in records[1..].iter().zip(&rs.rows) {
        assert_eq!(rec, &row.iter().map(Value::to_text).collect::<Vec<_>>());
    }
    assert_eq!(records[1][3], "1234.50", "decimals stay exact");
    assert_eq!(records[1][1], "2026-01-01", "dates are ISO");

    let with_bom = ExportOptions { csv_bom: true, ..opts() };
    export(&[item("Sales", &rs, &chart)], ExportFormat::Csv, &out, &with_bom).expect("export");
    let bytes = std::fs::read(&out).expect("read");
    assert!(bytes.starts_with(b"\xEF\xBB\xBFchannel,"));
    assert_eq!(read_csv(&bytes[3..]), records);
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn csv_dashboard_writes_titled_sections() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = sales();
    let empty = ResultSet { columns: vec![Column::new("x", "BIGINT")], rows: vec![], truncated: false };
    let chart = ChartSpec::table();
    let out = dir.path().join("dash.csv");
    let items = [item("First, tile", &rs, &chart), item("Empty tile", &empty, &chart)];
    let report = export(&items, ExportFormat::Csv, &out, &opts()).expect("export");
    assert_eq!(report.rows, 5);
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(text.starts_with("\"First, tile\"\r\nchannel,"));
    assert!(text.ends_with("\r\n\r\nEmpty tile\r\nx\r\n"), "{text:?}");
}

#[test]
fn xlsx_has_typed_cells_sheets_and_about() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = sales();
    let chart = spec(ChartKind::Bar, Some("channel"), &["sent"]);
    let out = dir.path().join("sales.xlsx");
    let items = [
        item("Sales: by channel [2026]?", &rs, &chart),
        item("sales  by channel 2026", &rs, &chart),
        item("A very long title that certainly exceeds Excel's limit", &rs, &chart),
    ];
    let report = export(&items, ExportFormat::Xlsx, &out, &opts()).expect("export");
    assert_eq!(report.rows, 15);
    let mut wb: Xlsx<_> = open_workbook(&out).expect("open xlsx");
    let names = wb.sheet_names();
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names[0], "Sales by channel 2026");
    assert_eq!(names[1], "sales by channel 2026 (2)");
    assert_eq!(names[2].chars().count(), 31);
    assert_eq!(names[3], "About");
    for name in &names[..3] {
        let range = wb.worksheet_range(name).expect("sheet");
        assert_eq!(range.height(), 6, "header + 5 rows");
        assert_eq!(range.width(), 8);
        let header: Vec<String> =
            (0..8).map(|c| range.get((0, c)).map(|d| d.to_string()).unwrap_or_default()).collect();
        assert_eq!(header[0], "channel");
        assert_eq!(header[3], "revenue");
    }
    let range = wb.worksheet_range(&names[0]).expect("sheet");
    assert_eq!(range.get((2, 0)), Some(&Data::String("sms, promo".into())));
    assert_eq!(range.get((1, 2)), Some(&Data::Float(1000.0)), "integers are numbers");
    assert_eq!(range.get((1, 3)), Some(&Data::Float(1234.5)), "decimals are numbers");
    assert_eq!(range.get((1, 5)), Some(&Data::Bool(true)));
    assert_eq!(range.get((1, 7)), Some(&Data::Empty), "NULL is an empty cell");
    match range.get((1, 1)) {
        Some(Data::DateTime(d)) => {
            assert_eq!(d.as_f64(), 46023.0);
        }
        other => panic!("date cell is {other:?}"),
    }
    match range.get((1, 6)) {
        Some(Data::DateTime(d)) => assert!((d.as_f64() - (46054.0 + 13.5 / 24.0)).abs() < 1e-9),
        other => panic!("timestamp cell is {other:?}"),
    }
    let about = wb.worksheet_range("About").expect("about");
    let text: Vec<String> = about.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(text.iter().any(|t| t.contains("SELECT channel")));
    assert!(text.iter().any(|t| t == "2026-03-01T10:00:00Z"));
}

/// Contacts named as web forms really get them, beside negative numbers that must stay numbers.
fn hostile() -> ResultSet {
    let names =
        ["=HYPERLINK(\"http://x.invalid\",\"hi\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCr", "Ana"];
    ResultSet {
        columns: vec![
            Column::new("full_name", "VARCHAR"),
            Column::new("balance", "BIGINT"),
            Column::new("=x", "DOUBLE"),
        ],
        rows: names
            .iter()
            .map(|n| vec![Value::Text((*n).into()), Value::Int(-5), Value::Float(-1.5)])
            .collect(),
        truncated: false,
    }
}

#[test]
fn csv_and_xlsx_cells_never_run_as_formulas() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = hostile();
    let chart = ChartSpec::table();
    let items = [item("=cmd|' /C calc'!A0", &rs, &chart), item("Second", &rs, &chart)];
    let csv = dir.path().join("hostile.csv");
    export(&items, ExportFormat::Csv, &csv, &opts()).expect("csv");
    let records = read_csv(&std::fs::read(&csv).expect("read"));
    assert_eq!(records[0], ["'=cmd|' /C calc'!A0"], "the title line too");
    assert_eq!(records[1], ["full_name", "balance", "'=x"], "and the header");
    let names: Vec<&str> = records[2..9].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        ["'=HYPERLINK(\"http://x.invalid\",\"hi\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCr", "Ana"]
    );
    assert!(records[2..9].iter().all(|r| r[1] == "-5" && r[2] == "-1.5"), "numbers stay numbers");

    let xlsx = dir.path().join("hostile.xlsx");
    export(&items, ExportFormat::Xlsx, &xlsx, &opts()).expect("xlsx");
    let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("open xlsx");
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).expect("sheet");
    assert_eq!(range.get((0, 2)), Some(&Data::String("'=x".into())));
    for r in 1..7 {
        match range.get((r, 0)) {
            Some(Data::String(t)) => assert!(t.starts_with('\''), "row {r}: {t:?}"),
            other => panic!("row {r}: {other:?}"),
        }
        assert_eq!(range.get((r, 1)), Some(&Data::Float(-5.0)));
        assert_eq!(range.get((r, 2)), Some(&Data::Float(-1.5)));
    }
    assert_eq!(range.get((7, 0)), Some(&Data::String("Ana".into())));
    // No cell of any sheet holds a formula.
    for name in wb.sheet_names() {
        let formulas = wb.worksheet_formula(&name).expect("formulas");
        assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "{name} has a formula");
    }
}

#[test]
fn xlsx_empty_result_is_header_only() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = ResultSet {
        columns: vec![Column::new("a", "BIGINT"), Column::new("b", "VARCHAR")],
        rows: vec![],
        truncated: false,
    };
    let chart = ChartSpec::table();
    let out = dir.path().join("empty.xlsx");
    let report = export(&[item("Nothing", &rs, &chart)], ExportFormat::Xlsx, &out, &opts()).expect("export");
    assert_eq!(report.rows, 0);
    let mut wb: Xlsx<_> = open_workbook(&out).expect("open");
    let range = wb.worksheet_range("Nothing").expect("sheet");
    assert_eq!(range.height(), 1);
}

/// "monthly revenue this year" asked on 2026-12-02: amounts in the tenant's reporting currency (COP), with display
/// labels, and December still running.
fn revenue() -> (ResultSet, Vec<Caveat>) {
    let month = |m| Value::Timestamp(date(2026, m, 1).and_hms_opt(0, 0, 0).expect("valid time"));
    let mut month_col = Column::new("month", "TIMESTAMP");
    month_col.label = Some("Month".into());
    let mut revenue_col = Column::new("revenue", "DECIMAL(38,2)");
    revenue_col.currency = Some("COP".into());
    revenue_col.label = Some("Revenue".into());
    let rows = vec![
        vec![month(10), Value::Decimal { units: 123_456_750, scale: 2 }],
        vec![month(11), Value::Decimal { units: 234_567_825, scale: 2 }],
        vec![month(12), Value::Decimal { units: 9_876_540, scale: 2 }],
    ];
    let caveats = vec![Caveat {
        code: CaveatCode::PartialPeriod,
        message: "December 2026 is to date (2 of 31 days)".into(),
        column: Some("month".into()),
        value: Some("2026-12-01".into()),
    }];
    (ResultSet { columns: vec![month_col, revenue_col], rows, truncated: false }, caveats)
}

/// One file of a ZIP archive (an XLSX), found through the central directory and inflated with flate2, so the
/// test reads the workbook's XML without trusting the writer's own reader.
fn zip_entry(zip: &[u8], name: &str) -> String {
    use std::io::Read;
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]) as usize;
    let eocd =
        (0..=zip.len() - 22).rev().find(|&i| u32_at(i) == 0x0605_4b50).expect("end of central directory");
    let (count, mut at) = (u16_at(eocd + 10), u32_at(eocd + 16));
    for _ in 0..count {
        assert_eq!(u32_at(at), 0x0201_4b50, "central directory entry");
        let (method, size) = (u16_at(at + 10), u32_at(at + 20));
        let (name_len, extra_len, comment_len) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        let local = u32_at(at + 42);
        if &zip[at + 46..at + 46 + name_len] == name.as_bytes() {
            let data = local + 30 + u16_at(local + 26) + u16_at(local + 28);
            let raw = &zip[data..data + size];
            let mut out = String::new();
            match method {
                0 => out = String::from_utf8(raw.to_vec()).expect("utf-8"),
                8 => {
                    flate2::read::DeflateDecoder::new(raw).read_to_string(&mut out).expect("inflate");
                }
                other => panic!("zip method {other}"),
            }
            return out;
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    panic!("{name} is not in the archive")
}

/// The number format code of cell `cell` (e.g. `B2`) of the first sheet: the cell's style → its `numFmtId` → the
/// workbook's custom format code.
fn xlsx_num_format(path: &Path, cell: &str) -> String {
    let bytes = std::fs::read(path).expect("read xlsx");
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    let styles = zip_entry(&bytes, "xl/styles.xml");
    let sheet = roxmltree::Document::parse(&sheet).expect("sheet xml");
    let styles = roxmltree::Document::parse(&styles).expect("styles xml");
    let c =
        sheet.descendants().find(|n| n.has_tag_name("c") && n.attribute("r") == Some(cell)).expect("cell");
    let xf: usize = c.attribute("s").expect("styled cell").parse().expect("style index");
    let xfs = styles.descendants().find(|n| n.has_tag_name("cellXfs")).expect("cellXfs");
    let fmt_id =
        xfs.children().filter(|n| n.has_tag_name("xf")).nth(xf).and_then(|n| n.attribute("numFmtId"));
    styles
        .descendants()
        .find(|n| n.has_tag_name("numFmt") && n.attribute("numFmtId") == fmt_id)
        .and_then(|n| n.attribute("formatCode"))
        .expect("custom number format")
        .to_string()
}

#[test]
fn money_columns_carry_their_currency_in_csv_and_xlsx() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let (rs, caveats) = revenue();
    let chart = ChartSpec {
        kind: ChartKind::Line,
        x: Some("month".into()),
        y: vec!["revenue".into()],
        ..ChartSpec::table()
    };
    let it = ExportItem { caveats: &caveats, ..item("Revenue by month", &rs, &chart) };

    let csv = dir.path().join("revenue.csv");
    export(&[it], ExportFormat::Csv, &csv, &opts()).expect("csv");
    let records = read_csv(&std::fs::read(&csv).expect("read"));
    // The column's name, not its label: files are read back by tools that look columns up by name.
    assert_eq!(records[0], ["month", "revenue (COP)"]);
    assert_eq!(records[1][1], "1234567.50", "amounts stay plain, exact numbers");

    let xlsx = dir.path().join("revenue.xlsx");
    export(&[it], ExportFormat::Xlsx, &xlsx, &opts()).expect("xlsx");
    let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("open xlsx");
    let range = wb.worksheet_range("Revenue by month").expect("sheet");
    assert_eq!(range.get((0, 0)), Some(&Data::String("month".into())));
    assert_eq!(range.get((0, 1)), Some(&Data::String("revenue (COP)".into())));
    assert_eq!(range.get((1, 1)), Some(&Data::Float(1234567.5)), "amounts stay numbers");
    assert_eq!(xlsx_num_format(&xlsx, "B2"), "\"COP \"#,##0.00");
    assert_eq!(xlsx_num_format(&xlsx, "B4"), "\"COP \"#,##0.00");
    let about = wb.worksheet_range("About").expect("about");
    let text: Vec<String> = about.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(text.iter().any(|t| t == "Notes"), "{text:?}");
    assert!(text.iter().any(|t| t.contains("December 2026 is to date")), "{text:?}");

    // A code that is not three letters names the header but never reaches a number format.
    let mut odd = rs.clone();
    odd.columns[1].currency = Some("C\"P".into());
    let odd_item = item("Odd", &odd, &chart);
    export(&[odd_item], ExportFormat::Xlsx, &xlsx, &opts()).expect("xlsx");
    assert_eq!(xlsx_num_format(&xlsx, "B2"), "#,##0.00");
}

#[test]
fn pdf_names_the_currency_and_lists_the_caveats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rs, caveats) = revenue();
    let chart = ChartSpec {
        kind: ChartKind::Line,
        x: Some("month".into()),
        y: vec!["revenue".into()],
        ..ChartSpec::table()
    };
    let out = dir.path().join("revenue.pdf");
    let it = ExportItem { caveats: &caveats, ..item("Revenue by month", &rs, &chart) };
    export(&[it], ExportFormat::Pdf, &out, &opts()).expect("pdf");
    let (_, texts) = pdf_pages_and_text(&out);
    // People read the PDF: the label, with the currency.
    assert!(texts[0].contains("Revenue (COP)"), "{:?}", texts[0]);
    assert!(texts[0].contains("December 2026 is to date (2 of 31 days)"), "{:?}", texts[0]);
    // Dates as people read them, a midnight time bucket as its day.
    assert!(texts[0].contains("Dec 1, 2026 (to date)"), "{:?}", texts[0]);
    assert!(!texts[0].contains("Nov 1, 2026 (to date)"), "{:?}", texts[0]);
    assert!(!texts[0].contains("00:00 "), "{:?}", texts[0]);

    let es = ExportOptions { lang: Lang::Es, ..opts() };
    export(&[it], ExportFormat::Pdf, &out, &es).expect("pdf");
    let (_, texts) = pdf_pages_and_text(&out);
    assert!(texts[0].contains("1 dic 2026 (en curso)"), "{:?}", texts[0]);
    assert!(texts[0].contains("Datos a: 1 mar 2026 10:00 UTC"), "{:?}", texts[0]);
}

/// Decodes a PNG; returns (width, height, pixels that are not white).
fn decode_png(bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = info.color_type.samples();
    let inked =
        buf[..info.buffer_size()].chunks(channels).filter(|p| p.iter().take(3).any(|&c| c < 240)).count();
    (info.width, info.height, inked)
}

fn all_kinds() -> Vec<ChartSpec> {
    let mut series = spec(ChartKind::Line, Some("day"), &["sent"]);
    series.series = Some("active".into());
    vec![
        spec(ChartKind::Kpi, None, &["sent", "delivery_rate"]),
        spec(ChartKind::Bar, Some("channel"), &["sent", "revenue"]),
        spec(ChartKind::Line, Some("day"), &["sent"]),
        series,
        spec(ChartKind::Area, Some("updated_at"), &["revenue"]),
        spec(ChartKind::Pie, Some("channel"), &["sent"]),
        spec(ChartKind::Scatter, None, &["sent", "revenue"]),
        spec(ChartKind::Bar, Some("note"), &["delivery_rate"]),
        ChartSpec::table(),
    ]
}

#[test]
fn png_charts_of_every_kind_have_the_requested_size_and_ink() {
    let rs = sales();
    for chart in all_kinds() {
        for lang in [Lang::En, Lang::Es] {
            let o = ExportOptions { lang, width: 800, height: 450, ..opts() };
            let png = render_chart_png(&item("Entregas por canal", &rs, &chart), &o).expect("render");
            // INDA_EXPORT_DUMP=dir keeps the images for a person to look at.
            if let Some(dir) = std::env::var_os("INDA_EXPORT_DUMP") {
                let name = format!("{:?}-{}-{lang:?}.png", chart.kind, chart.x.as_deref().unwrap_or("none"));
                std::fs::write(Path::new(&dir).join(name), &png).expect("dump");
            }
            let (w, h, inked) = decode_png(&png);
            assert_eq!((w, h), (800, 450));
            assert!(inked > 5_000, "{:?} drew only {inked} pixels", chart.kind);
        }
    }
}

#[test]
fn png_export_and_dashboard_grid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = sales();
    let charts = all_kinds();
    let out = dir.path().join("chart.png");
    let report = export(&[item("Sales", &rs, &charts[1])], ExportFormat::Png, &out, &opts()).expect("export");
    let (w, h, inked) = decode_png(&std::fs::read(&out).expect("read"));
    assert_eq!((w, h), (1200, 675));
    assert!(inked > 20_000);
    assert_eq!(report.rows, 5);

    let items: Vec<ExportItem> = charts.iter().take(5).map(|c| item("Tile", &rs, c)).collect();
    let report =
        export_titled(Some("Marketing dashboard"), &items, ExportFormat::Png, &out, &opts()).expect("export");
    assert_eq!(report.rows, 25);
    let (w, h, inked) = decode_png(&std::fs::read(&out).expect("read"));
    assert_eq!(w, 1200);
    assert!(h >= 3 * 675 / 2, "three rows of tiles, got height {h}");
    assert!(inked > 50_000);
}

#[test]
fn svg_is_xml_with_the_title_as_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = sales();
    for chart in all_kinds() {
        let svg =
            render_chart_svg(&item("Revenue & sends <by channel>", &rs, &chart), &opts()).expect("render");
        let doc = roxmltree::Document::parse(&svg).expect("valid xml");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect();
        assert!(
            texts.iter().any(|t| t.contains("Revenue & sends <by channel>")),
            "{:?}: {texts:?}",
            chart.kind
        );
    }
    let charts = all_kinds();
    let out = dir.path().join("dash.svg");
    let items = [item("Left tile", &rs, &charts[1]), item("Right tile", &rs, &charts[2])];
    export(&items, ExportFormat::Svg, &out, &opts()).expect("export");
    let svg = std::fs::read_to_string(&out).expect("read");
    let doc = roxmltree::Document::parse(&svg).expect("valid xml");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    assert!(texts.contains(&"Left tile") && texts.contains(&"Right tile"), "{texts:?}");
}

fn pdf_pages_and_text(path: &Path) -> (usize, Vec<String>) {
    let doc = lopdf::Document::load(path).expect("valid pdf");
    let pages = doc.get_pages();
    let texts = pages.keys().map(|&n| doc.extract_text(&[n]).unwrap_or_default()).collect();
    (pages.len(), texts)
}

#[test]
fn pdf_has_a_page_per_item_with_its_title() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = sales();
    let charts = all_kinds();
    let out = dir.path().join("report.pdf");
    let report =
        export(&[item("Weekly sends", &rs, &charts[1])], ExportFormat::Pdf, &out, &opts()).expect("export");
    assert!(report.bytes > 1000);
    let (pages, texts) = pdf_pages_and_text(&out);
    assert_eq!(pages, 1);
    assert!(texts[0].contains("Weekly sends"), "{:?}", texts[0]);
    assert!(texts[0].contains("sms, promo"), "table rows are on the page");

    let empty = ResultSet { columns: rs.columns.clone(), rows: vec![], truncated: false };
    let items = [
        item("Sends by channel", &rs, &charts[1]),
        item("Table tile", &rs, &charts[8]),
        item("Entregas del año", &empty, &charts[2]),
    ];
    let es = ExportOptions { lang: Lang::Es, ..opts() };
    export_titled(Some("Panel de campañas"), &items, ExportFormat::Pdf, &out, &es).expect("export");
    if let Some(dir) = std::env::var_os("INDA_EXPORT_DUMP") {
        std::fs::copy(&out, Path::new(&dir).join("dashboard.pdf")).expect("dump");
    }
    let (pages, texts) = pdf_pages_and_text(&out);
    assert_eq!(pages, 3);
    assert!(texts[0].contains("Sends by channel"));
    assert!(texts[1].contains("Table tile"));
    assert!(texts[2].contains("Entregas del a"), "{:?}", texts[2]);
}

#[test]
fn pdf_notes_rows_past_its_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = big_result(inda_export::MAX_PDF_ROWS + 1_234);
    let chart = spec(ChartKind::Line, Some("day"), &["sent"]);
    let out = dir.path().join("long.pdf");
    export(&[item("Long", &rs, &chart)], ExportFormat::Pdf, &out, &opts()).expect("export");
    let (pages, texts) = pdf_pages_and_text(&out);
    assert!(pages > 50, "{pages} pages");
    let last = texts.last().expect("a page");
    assert!(
        last.contains("1,234 more rows not shown: a PDF holds at most 5,000 per table; export XLSX for all"),
        "{last:?}"
    );
    // The last row printed is the 5,000th (ids count from 0), the first one left out is not.
    assert!(last.contains("4,999"), "{last:?}");
    assert!(!texts.iter().any(|t| t.contains("5,001")));
    let es = ExportOptions { lang: Lang::Es, ..opts() };
    export(&[item("Largo", &rs, &chart)], ExportFormat::Pdf, &out, &es).expect("export");
    let (_, texts) = pdf_pages_and_text(&out);
    let last = texts.last().expect("a page");
    assert!(last.contains("1.234 filas más no se muestran"), "{last:?}");
    // On a dashboard, the limit is per tile.
    let small = sales();
    let table = ChartSpec::table();
    let items = [item("Largo", &rs, &chart), item("Corto", &small, &table)];
    export_titled(Some("Panel"), &items, ExportFormat::Pdf, &out, &opts()).expect("export");
    let (_, texts) = pdf_pages_and_text(&out);
    let cut = texts.iter().find(|t| t.contains("more rows not shown")).expect("the cut note");
    assert!(cut.contains("at most 5,000 per tile"), "{cut:?}");
}

/// Every row of every tile, over as many pages as it takes, with the header again on each; 2,000 rows of a
/// two-tile dashboard in both languages.
#[test]
fn pdf_dashboard_prints_every_row_on_continued_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = big_result(2_000);
    let small = sales();
    let line = spec(ChartKind::Line, Some("day"), &["sent"]);
    let table = ChartSpec::table();
    let out = dir.path().join("dash.pdf");
    let items =
        [item("Sends by day", &rs, &line), item("Every send", &rs, &table), item("Small", &small, &table)];
    let o = ExportOptions { filters: vec!["Channel: WhatsApp, SMS".into(), "Country: CO".into()], ..opts() };
    let t = Instant::now();
    let report = export_titled(Some("Marketing"), &items, ExportFormat::Pdf, &out, &o).expect("export");
    if let Some(dir) = std::env::var_os("INDA_EXPORT_DUMP") {
        std::fs::copy(&out, Path::new(&dir).join("dashboard-2000.pdf")).expect("dump");
    }
    let (pages, texts) = pdf_pages_and_text(&out);
    println!(
        "PDF of 2 tiles x 2,000 rows + 1 small tile: {pages} pages, {} bytes in {:?} (debug build)",
        report.bytes,
        t.elapsed()
    );
    assert_eq!(report.rows, 4_005);
    let all = texts.join("\n");
    // Every row is there, once per tile: the ids 0..1999 (the `sent` column, a cell per line).
    for id in 0..2_000 {
        let cell = format!("\n{}\n", inda_export_number(id));
        assert!(all.matches(&cell).count() >= 2, "row {id} is missing");
    }
    assert!(all.contains("1,999"), "last id printed");
    let header_pages = texts.iter().filter(|t| t.contains("campaign") && t.contains("delivery_rate")).count();
    let continued = texts.iter().filter(|t| t.contains("(continued)")).count();
    assert!(continued >= pages - 4, "{continued} of {pages} pages continue a table");
    assert!(header_pages >= pages - 2, "the header repeats: {header_pages} of {pages} pages");
    assert!(texts[0].contains("Filters: Channel: WhatsApp, SMS · Country: CO"), "{:?}", texts[0]);
    assert!(texts[0].contains(&format!("Page 1 of {pages}")), "{:?}", texts[0]);
    assert!(texts.iter().all(|t| !t.contains("more rows")), "nothing is cut under the limit");
    // Rows per page: about 40 on a page of its own, fewer under a chart.
    assert!((100..=120).contains(&pages), "{pages} pages");
    let small_page = texts.iter().position(|t| t.contains("Small")).expect("the small tile");
    assert!(texts[small_page].contains("sms, promo"));

    let es = ExportOptions { lang: Lang::Es, ..o };
    export_titled(Some("Marketing"), &items, ExportFormat::Pdf, &out, &es).expect("export");
    let (pages_es, texts) = pdf_pages_and_text(&out);
    assert_eq!(pages_es, pages);
    assert!(texts[1].contains("(continuación)") || texts[2].contains("(continuación)"));
    assert!(texts[0].contains(&format!("Página 1 de {pages}")), "{:?}", texts[0]);
    assert!(texts[0].contains("Filtros: "), "{:?}", texts[0]);
    assert!(texts.join("\n").contains("1 ene 2024"), "Spanish dates");
}

/// `1234` as the English PDF prints an integer.
fn inda_export_number(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn filters_go_to_the_pdf_and_the_about_sheet_but_never_into_csv() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = sales();
    let chart = spec(ChartKind::Bar, Some("channel"), &["sent"]);
    let o = ExportOptions { filters: vec!["Canal: WhatsApp".into()], lang: Lang::Es, ..opts() };
    let xlsx = dir.path().join("f.xlsx");
    export(&[item("Ventas", &rs, &chart)], ExportFormat::Xlsx, &xlsx, &o).expect("xlsx");
    let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("open");
    let about = wb.worksheet_range("Acerca de").expect("about");
    let text: Vec<String> = about.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(text.iter().any(|t| t == "Filtros") && text.iter().any(|t| t == "Canal: WhatsApp"), "{text:?}");
    let csv = dir.path().join("f.csv");
    export(&[item("Ventas", &rs, &chart)], ExportFormat::Csv, &csv, &o).expect("csv");
    let plain = dir.path().join("plain.csv");
    export(&[item("Ventas", &rs, &chart)], ExportFormat::Csv, &plain, &opts()).expect("csv");
    assert_eq!(
        std::fs::read(&csv).expect("read"),
        std::fs::read(&plain).expect("read"),
        "CSV stays data only"
    );
}

#[test]
fn a_second_axis_draws_and_time_axes_read_as_months() {
    let rs = revenue().0;
    let mut months = rs.clone();
    months.columns.push(Column::new("orders", "BIGINT"));
    for (i, row) in months.rows.iter_mut().enumerate() {
        row.push(Value::Int(10 + i as i64));
    }
    let mut chart = spec(ChartKind::Line, Some("month"), &["revenue", "orders"]);
    chart.y2 = vec!["orders".into()];
    let svg = render_chart_svg(&item("Revenue and orders", &months, &chart), &opts()).expect("render");
    let doc = roxmltree::Document::parse(&svg).expect("valid xml");
    let texts: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    // Month ticks on firsts of months, no midnight times; the second axis has its own name.
    assert!(texts.iter().any(|t| t.trim() == "Nov 2026"), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("00:00")), "{texts:?}");
    assert!(texts.iter().any(|t| t.trim() == "orders"), "{texts:?}");
    let png = render_chart_png(&item("Revenue and orders", &months, &chart), &opts()).expect("render");
    assert!(decode_png(&png).2 > 5_000);
    // Bars per month read as months too.
    let bars = spec(ChartKind::Bar, Some("month"), &["revenue"]);
    let svg = render_chart_svg(&item("Revenue", &months, &bars), &ExportOptions { lang: Lang::Es, ..opts() })
        .expect("render");
    assert!(svg.contains("dic 2026"), "{svg}");
    // A second-axis measure the result lacks is a stale spec.
    chart.y2 = vec!["nope".into()];
    let err = render_chart_png(&item("x", &months, &chart), &opts()).expect_err("unknown column");
    assert!(err.message.contains("nope"), "{}", err.message);
}

#[test]
fn failed_exports_leave_the_old_file_and_no_temp_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = sales();
    let broken = spec(ChartKind::Bar, Some("no_such_column"), &["sent"]);
    for format in [ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf] {
        let out = dir.path().join(format!("keep.{}", format.extension()));
        std::fs::write(&out, b"old contents").expect("write");
        let err = export(&[item("Broken", &rs, &broken)], format, &out, &opts()).expect_err("must fail");
        assert_eq!(err.code, ErrorCode::Usage);
        assert!(err.message.contains("no_such_column"), "{}", err.message);
        assert_eq!(std::fs::read(&out).expect("read"), b"old contents");
    }
    assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));

    // An unwritable target: its directory does not exist.
    let missing = dir.path().join("no/such/dir/out.csv");
    let chart = ChartSpec::table();
    let err = export(&[item("x", &rs, &chart)], ExportFormat::Csv, &missing, &opts()).expect_err("must fail");
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(!err.message.contains('\n'));
    // A directory as target.
    let err =
        export(&[item("x", &rs, &chart)], ExportFormat::Csv, dir.path(), &opts()).expect_err("must fail");
    assert_eq!(err.code, ErrorCode::Usage);
    // Nothing to export, bad sizes.
    let out = dir.path().join("x.csv");
    assert_eq!(export(&[], ExportFormat::Csv, &out, &opts()).expect_err("empty").code, ErrorCode::Usage);
    let tiny = ExportOptions { width: 0, ..opts() };
    assert_eq!(
        export(&[item("x", &rs, &chart)], ExportFormat::Png, &out, &tiny).expect_err("size").code,
        ErrorCode::Usage
    );
    assert!(!out.exists());
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn empty_results_export_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = ResultSet { columns: sales().columns, rows: vec![], truncated: false };
    for chart in all_kinds() {
        let png = render_chart_png(&item("Empty", &rs, &chart), &opts()).expect("render");
        let (w, h, inked) = decode_png(&png);
        assert_eq!((w, h), (1200, 675));
        assert!(inked > 1_000, "title and 'No data' are drawn");
    }
    let chart = spec(ChartKind::Bar, Some("channel"), &["sent"]);
    for format in ExportFormat::ALL {
        let out = dir.path().join(format!("empty.{}", format.extension()));
        let report = export(&[item("Empty", &rs, &chart)], format, &out, &opts()).expect("export");
        assert_eq!(report.rows, 0);
        assert!(report.bytes > 0);
    }
    let csv = std::fs::read_to_string(dir.path().join("empty.csv")).expect("read");
    assert_eq!(csv, "channel,day,sent,revenue,delivery_rate,active,updated_at,note\r\n");
}

fn big_result(n: usize) -> ResultSet {
    let start = date(2024, 1, 1);
    let rows = (0..n)
        .map(|i| {
            vec![
                Value::Text(format!("campaign {}", i % 97)),
                Value::Date(start + chrono::Days::new((i % 700) as u64)),
                Value::Int(i as i64),
                Value::Decimal { units: i as i128 * 37, scale: 2 },
                Value::Float(i as f64 / n as f64),
            ]
        })
        .collect();
    ResultSet {
        columns: vec![
            Column::new("campaign", "VARCHAR"),
            Column::new("day", "DATE"),
            Column::new("sent", "BIGINT"),
            Column::new("revenue", "DECIMAL(12,2)"),
            Column::new("delivery_rate", "DOUBLE"),
        ],
        rows,
        truncated: false,
    }
}

#[test]
fn hundred_thousand_rows_export_to_csv_and_xlsx() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let rs = big_result(100_000);
    let chart = ChartSpec::table();
    for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
        let out = dir.path().join(format!("big.{}", format.extension()));
        let t = Instant::now();
        let report = export(&[item("Big", &rs, &chart)], format, &out, &opts()).expect("export");
        println!("{format}: 100,000 rows, {} bytes in {:?} (debug build)", report.bytes, t.elapsed());
        assert_eq!(report.rows, 100_000);
    }
    let csv = std::fs::read(dir.path().join("big.csv")).expect("read");
    assert_eq!(read_csv(&csv).len(), 100_001);
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("big.xlsx")).expect("open");
    assert_eq!(wb.worksheet_range("Big").expect("sheet").height(), 100_001);
}
