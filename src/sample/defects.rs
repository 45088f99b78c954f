//! The deliberate defects: which rows get which defect, how a defect changes the cells, and the
//! rows of a table with defects and blank rows.

use super::DefectPlan;
use super::columns::{Cell, Col, ColumnSpec, cell_value};
use super::flats::Flat;
use super::kreis::{GEMEINDEN, MUSTERSTADT};
use super::rng::{SampleRng, german_number, round2};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Defect {
    TextNumber(usize),
    TextDate,
    MissingBk,
    MissingBaujahr,
    MissingRent,
    KeineAngabe(usize),
    ZeroArea,
    UnknownGemeinde,
    NvText,
    AnnualRent,
    BkWithHeating,
    StadtPrefix,
    LowerCase,
    AgsOnly,
}

/// Picks distinct rows for every defect of `plan` among the rows `eligible` allows.
pub(super) fn plan_defects(
    rng: &mut SampleRng,
    flats: &[Flat],
    plan: &DefectPlan,
    eligible: &dyn Fn(usize) -> bool,
) -> Vec<Option<Defect>> {
    let mut assigned: Vec<Option<Defect>> = vec![None; flats.len()];
    let take = |rng: &mut SampleRng,
                assigned: &mut Vec<Option<Defect>>,
                n: usize,
                extra: &dyn Fn(&Flat) -> bool,
                make: &dyn Fn(usize) -> Defect| {
        let mut pool: Vec<usize> = (0..flats.len())
            .filter(|&i| assigned[i].is_none() && eligible(i) && extra(&flats[i]))
            .collect();
        for k in 0..n.min(pool.len()) {
            let j = k + rng.below(pool.len() - k);
            pool.swap(k, j);
            assigned[pool[k]] = Some(make(k));
        }
    };
    let any = |_: &Flat| true;
    // The rarest, most constrained defects first.
    take(
        rng,
        &mut assigned,
        plan.bk_with_heating,
        &|f: &Flat| (f.bk + f.hk) / f.area >= 3.6,
        &|_| Defect::BkWithHeating,
    );
    take(
        rng,
        &mut assigned,
        plan.stadt_prefix,
        &|f: &Flat| f.gemeinde == MUSTERSTADT,
        &|_| Defect::StadtPrefix,
    );
    take(rng, &mut assigned, plan.missing_rent, &any, &|_| {
        Defect::MissingRent
    });
    take(
        rng,
        &mut assigned,
        plan.keine_angabe,
        &any,
        &Defect::KeineAngabe,
    );
    take(rng, &mut assigned, plan.zero_area, &any, &|_| {
        Defect::ZeroArea
    });
    take(rng, &mut assigned, plan.unknown_gemeinde, &any, &|_| {
        Defect::UnknownGemeinde
    });
    take(rng, &mut assigned, plan.nv_text, &any, &|_| Defect::NvText);
    take(rng, &mut assigned, plan.annual_rent, &any, &|_| {
        Defect::AnnualRent
    });
    take(
        rng,
        &mut assigned,
        plan.text_numbers,
        &any,
        &Defect::TextNumber,
    );
    take(rng, &mut assigned, plan.text_dates, &any, &|_| {
        Defect::TextDate
    });
    take(rng, &mut assigned, plan.missing_bk, &any, &|_| {
        Defect::MissingBk
    });
    take(rng, &mut assigned, plan.missing_baujahr, &any, &|_| {
        Defect::MissingBaujahr
    });
    take(rng, &mut assigned, plan.lower_case_name, &any, &|_| {
        Defect::LowerCase
    });
    take(rng, &mut assigned, plan.ags_only, &any, &|_| {
        Defect::AgsOnly
    });
    assigned
}

fn text_area(flat: &Flat) -> String {
    format!("{} m²", german_number(flat.area, flat.area_decimals))
}

/// Applies `defect` to the clean `cells` of `flat`.
fn apply_defect(cells: &mut [Cell], columns: &[ColumnSpec], flat: &Flat, defect: Defect) {
    let pos = |col: Col| columns.iter().position(|c| c.col == col);
    let mut set = |col: Col, value: Cell| {
        if let Some(i) = pos(col) {
            cells[i] = value;
        }
    };
    let bk_col = if pos(Col::Bk).is_some() {
        Col::Bk
    } else {
        Col::Nebenkosten
    };
    let def = &GEMEINDEN[flat.gemeinde];
    match defect {
        Defect::TextNumber(k) => match k % 3 {
            0 => set(
                Col::Rent,
                Cell::Text(format!("{} €", german_number(flat.rent, 2))),
            ),
            1 => set(Col::Area, Cell::Text(text_area(flat))),
            _ => {
                let v = if bk_col == Col::Bk {
                    flat.bk
                } else {
                    flat.nebenkosten
                };
                set(bk_col, Cell::Text(german_number(v, 2)));
            }
        },
        Defect::TextDate => {
            for col in [Col::Start, Col::LastChange, Col::OfferDate] {
                if let Some(i) = pos(col)
                    && let Cell::Date(d) = cells[i]
                {
                    cells[i] = Cell::Text(d.german());
                }
            }
        }
        Defect::MissingBk => set(bk_col, Cell::Empty),
        Defect::MissingBaujahr => set(Col::Baujahr, Cell::Empty),
        Defect::MissingRent => set(Col::Rent, Cell::Empty),
        Defect::KeineAngabe(k) => {
            let col = if k % 2 == 0 { Col::Rent } else { Col::Area };
            set(col, Cell::Static("k.A."));
        }
        Defect::ZeroArea => set(Col::Area, Cell::Num(0.0)),
        Defect::UnknownGemeinde => {
            set(Col::Gemeinde, Cell::Static("Altenweiler"));
            set(Col::Ags, Cell::Empty);
            set(Col::Plz, Cell::Static("59950"));
        }
        Defect::NvText => set(Col::Rent, Cell::Static("#NV")),
        Defect::AnnualRent => set(Col::Rent, Cell::Num(round2(flat.rent * 12.0))),
        Defect::BkWithHeating => {
            set(Col::Bk, Cell::Num(round2(flat.bk + flat.hk)));
            set(Col::Hk, Cell::Empty);
        }
        Defect::StadtPrefix => set(Col::Gemeinde, Cell::Text(format!("Stadt {}", def.name))),
        Defect::LowerCase => set(Col::Gemeinde, Cell::Text(def.name.to_lowercase())),
        Defect::AgsOnly => set(Col::Gemeinde, Cell::Empty),
    }
}

/// Builds the rows of a table from flats in their final order, applies the defects and inserts
/// `blank_rows` blank rows in the middle half of the data.
pub(super) fn build_rows(
    rng: &mut SampleRng,
    flats: &[Flat],
    defects: &[Option<Defect>],
    columns: &[ColumnSpec],
    blank_rows: usize,
) -> Vec<Option<Vec<Cell>>> {
    let mut rows: Vec<Option<Vec<Cell>>> = flats
        .iter()
        .zip(defects)
        .enumerate()
        .map(|(i, (flat, defect))| {
            let mut cells: Vec<Cell> = columns
                .iter()
                .map(|c| cell_value(c.col, flat, i + 1))
                .collect();
            if let Some(d) = defect {
                apply_defect(&mut cells, columns, flat, *d);
            }
            Some(cells)
        })
        .collect();
    for _ in 0..blank_rows {
        let n = rows.len();
        let at = n / 4 + rng.below(n / 2 + 1);
        rows.insert(at, None);
    }
    rows
}
