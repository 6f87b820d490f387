mod common;
#[test]
fn explore() {
    for sql in std::fs::read_to_string("/tmp/explore.sql").unwrap().lines().filter(|l| !l.trim().is_empty()) {
        match common::run(sql) {
            Ok(g) => println!("IN : {sql}\nOUT: {}\n     tables={:?} capped={} limit={}", g.sql, g.tables, g.capped, g.limit),
            Err(r) => println!("IN : {sql}\nREJ: {r}"),
        }
    }
}
