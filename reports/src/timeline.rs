//! timeline.csv: one row per second of a run (t, step, rps, errors, dropped, p50, p95, p99,
//! users).

use headroom_loadgen::results::TimelineRow;

pub fn to_csv(rows: &[TimelineRow]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_second_with_a_header() {
        let row = |t, step| TimelineRow {
            t,
            step,
            rps: 10.0,
            errors: 1,
            dropped: 0,
            p50: 1.5,
            p95: 2.0,
            p99: 3.0,
            users: Some(4),
        };
        let text = String::from_utf8(to_csv(&[row(1, Some(1)), row(2, None)]).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "t,step,rps,errors,dropped,p50,p95,p99,users",
                "1,1,10.0,1,0,1.5,2.0,3.0,4",
                "2,,10.0,1,0,1.5,2.0,3.0,4"
            ]
        );
    }
}
