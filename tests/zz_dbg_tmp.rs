use calamine::{Data, Reader, open_workbook_auto};
#[test]
fn dbg() {
    let mut wb = open_workbook_auto("/tmp/pruef_dbg.xlsx").unwrap();
    let w = wb.worksheet_range("Werte").unwrap();
    println!("start {:?} end {:?}", w.start(), w.end());
    for (r, c, d) in w.cells() {
        if let Data::Float(f) = d { if r < 6 || c > 19 { println!("{r} {c} {f}"); } }
    }
}
