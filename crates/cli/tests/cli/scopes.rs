//! Partner and platform admins through the real `inda` binary: roles from the token (and its issuer), the
//! scope and `--scope`, saved items that remember their scope, and the refusals (exit 4, `auth`) of a scope
//! beyond the role, of a mismatched partner, and of another scope's saved analysis, dashboard, export and
//! cache.

use crate::common::{AS_OF, demo_init, json, mint, ok};
use serde_json::Value as J;
use std::path::{Path, PathBuf};

const BY_TENANT: &str = "SELECT tenant_id, COUNT(*) AS messages FROM marts.fct_messages GROUP BY tenant_id";

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    demo_init(&dir, &["--scale", "0.05", "--as-of", AS_OF]);
    Setup { _tmp: tmp, dir }
}

fn tenants_of(doc: &J) -> Vec<String> {
    let mut t: Vec<String> =
        doc["rows"].as_array().unwrap().iter().map(|r| r[0].as_str().unwrap().to_string()).collect();
    t.sort();
    t
}

fn admin(dir: &Path, tenant: &str, role: &str) -> String {
    mint(dir, tenant, "am@indigital.example", &["--roles", role])
}

#[test]
fn roles_set_the_scope_and_scope_narrows_it() {
    let s = setup();
    let partner = admin(&s.dir, "globex", "partner_admin");
    let doc = ok(&s.dir, &partner, &["sql", BY_TENANT]);
    assert_eq!(tenants_of(&doc), ["acme_corp", "globex", "initech", "umbrella"]);
    assert!(
        doc["sql"].as_str().unwrap().contains("tenant_id IN ('acme_corp', 'globex', 'initech', 'umbrella')")
    );

    let doc = ok(&s.dir, &partner, &["--scope", "umbrella,acme_corp", "sql", BY_TENANT]);
    assert_eq!(tenants_of(&doc), ["acme_corp", "umbrella"]);
    let doc = ok(&s.dir, &partner, &["sql", BY_TENANT, "--scope", "initech"]);
    assert_eq!(tenants_of(&doc), ["initech"]);
    assert!(doc["sql"].as_str().unwrap().contains("tenant_id = 'initech'"));

    let platform = admin(&s.dir, "acme_corp", "platform_admin");
    let doc = ok(&s.dir, &platform, &["sql", BY_TENANT]);
    assert_eq!(tenants_of(&doc).len(), 5);
    let other = mint(&s.dir, "stark_ind", "tony@stark.example", &["--roles", "partner_admin"]);
    assert_eq!(tenants_of(&ok(&s.dir, &other, &["sql", BY_TENANT])), ["stark_ind"]);

    // An analyst is unchanged, and cannot widen.
    let analyst = mint(&s.dir, "acme_corp", "maria@acme.example", &[]);
    assert_eq!(tenants_of(&ok(&s.dir, &analyst, &["sql", BY_TENANT])), ["acme_corp"]);
    for (token, scope) in
        [(&analyst, "acme_corp,globex"), (&partner, "stark_ind"), (&partner, "globex,stark_ind")]
    {
        let (code, doc) = json(&s.dir, token, &["--scope", scope, "sql", BY_TENANT]);
        assert_eq!((code, doc["error"]["code"].as_str()), (4, Some("auth")), "{scope}: {doc}");
        assert!(doc["error"]["message"].as_str().unwrap().contains("not in your scope"), "{doc}");
    }
    let (code, doc) = json(&s.dir, &partner, &["--scope", "acme' OR '1'='1", "sql", BY_TENANT]);
    assert_eq!((code, doc["error"]["code"].as_str()), (2, Some("usage")), "{doc}");

    // A join that does not match tenant_id over several companies is answered with a caveat saying so; one
    // that does, or any join for one company, is not.
    let join =
        "SELECT COUNT(*) FROM marts.fct_messages m JOIN marts.dim_contacts c ON c.contact_id = m.contact_id";
    let codes =
        |doc: &J| doc["caveats"].as_array().map(|c| c.iter().map(|c| c["code"].clone()).collect::<Vec<_>>());
    let doc = ok(&s.dir, &partner, &["sql", join]);
    assert_eq!(codes(&doc), Some(vec![J::from("cross_company_join")]), "{doc}");
    let matched = format!("{join} AND c.tenant_id = m.tenant_id");
    assert_eq!(codes(&ok(&s.dir, &partner, &["sql", &matched])), Some(vec![]));
    assert_eq!(codes(&ok(&s.dir, &partner, &["--scope", "globex", "sql", join])), Some(vec![]));

    // whoami shows the role and the scope.
    let who = ok(&s.dir, &partner, &["--scope", "globex,acme_corp", "whoami"]);
    assert_eq!(who["role"], "partner_admin");
    assert_eq!(who["scope"], serde_json::json!(["acme_corp", "globex"]));
}

#[test]
fn tokens_are_checked_against_admin_tenants_and_the_issuers_roles() {
    let s = setup();
    // The partner defaults to the tenant's own.
    let stark = mint(&s.dir, "stark_ind", "tony@stark.example", &[]);
    assert_eq!(ok(&s.dir, &stark, &["whoami"])["partner_id"], "other_partner");
    for role in ["analyst", "partner_admin", "platform_admin"] {
        let wrong =
            mint(&s.dir, "stark_ind", "x@stark.example", &["--partner", "indigital", "--roles", role]);
        let (code, doc) = json(&s.dir, &wrong, &["sql", BY_TENANT]);
        assert_eq!((code, doc["error"]["code"].as_str()), (4, Some("auth")), "{role}: {doc}");
        assert!(!doc.to_string().contains("\"rows\""));
    }
    // An issuer configured without admin roles refuses an admin token.
    let partner = admin(&s.dir, "globex", "partner_admin");
    let config = s.dir.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let limited = text.replacen("[[auth.issuer]]", "[[auth.issuer]]\nroles = [\"analyst\"]", 1);
    assert_ne!(text, limited, "the development issuer is in config.toml: {text}");
    std::fs::write(&config, limited).unwrap();
    let (code, doc) = json(&s.dir, &partner, &["sql", BY_TENANT]);
    assert_eq!((code, doc["error"]["code"].as_str()), (4, Some("auth")), "{doc}");
    assert!(doc["error"]["message"].as_str().unwrap().contains("partner_admin"), "{doc}");
    let analyst = mint(&s.dir, "globex", "g@globex.example", &[]);
    assert_eq!(tenants_of(&ok(&s.dir, &analyst, &["sql", BY_TENANT])), ["globex"]);
}

#[test]
fn saved_items_remember_their_scope_and_other_scopes_are_refused() {
    let s = setup();
    let user = "am@indigital.example";
    let partner = admin(&s.dir, "acme_corp", "partner_admin");
    let wide = ["--scope", "acme_corp,globex"];
    let saved = ok(
        &s.dir,
        &partner,
        &[&wide[..], &["saved", "save", "--name", "Two companies", "--sql", BY_TENANT]].concat(),
    );
    let id = saved["id"].as_str().unwrap().to_string();
    assert_eq!(saved["scope"], serde_json::json!(["acme_corp", "globex"]));
    let dash = ok(&s.dir, &partner, &[&wide[..], &["dashboard", "create", "--name", "Clients"]].concat());
    let did = dash["id"].as_str().unwrap().to_string();
    ok(&s.dir, &partner, &["dashboard", "add", &did, &id]);

    // Run with the whole reach (four tenants): it reads exactly the two it was saved with.
    let run = ok(&s.dir, &partner, &["saved", "run", &id]);
    assert_eq!(tenants_of(&run), ["acme_corp", "globex"], "{run}");
    let out = s.dir.join("two.csv");
    let export =
        ok(&s.dir, &partner, &["export", "--analysis", &id, "--to", "csv", "--out", out.to_str().unwrap()]);
    assert_eq!(export["rows"], 2);

    // The same user with a narrower scope, or with an analyst's token, is refused: exit 4, nothing shown.
    let analyst = mint(&s.dir, "acme_corp", user, &[]);
    let narrow = ["--scope", "acme_corp"];
    let attempts: Vec<Vec<&str>> = vec![
        vec!["saved", "show", &id],
        vec!["saved", "run", &id],
        vec!["saved", "run", &id, "--offline"],
        vec!["dashboard", "show", &did],
        vec!["export", "--analysis", &id, "--to", "csv", "--out", out.to_str().unwrap()],
        vec!["export", "--dashboard", &did, "--to", "csv", "--out", out.to_str().unwrap()],
    ];
    for args in &attempts {
        for (who, token, extra) in [("narrowed", &partner, &narrow[..]), ("analyst", &analyst, &[][..])] {
            let (code, doc) = json(&s.dir, token, &[extra, &args[..]].concat());
            assert_eq!((code, doc["error"]["code"].as_str()), (4, Some("auth")), "{who} {args:?}: {doc}");
            assert!(!doc.to_string().contains("globex\","), "{doc}");
        }
    }
    // Another user (even an admin of the same partner) does not find them at all.
    let other = mint(&s.dir, "acme_corp", "someone@indigital.example", &["--roles", "partner_admin"]);
    let (code, doc) = json(&s.dir, &other, &["saved", "show", &id]);
    assert_eq!((code, doc["error"]["code"].as_str()), (2, Some("not_found")), "{doc}");

    // The audit records role and scope.
    let audit = ok(&s.dir, &partner, &["audit", "list", "--limit", "50"]);
    let run_entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "run")
        .unwrap_or_else(|| panic!("a run entry: {audit}"));
    assert_eq!(run_entry["details"]["role"], "partner_admin");
    assert_eq!(run_entry["details"]["scope"], serde_json::json!(["acme_corp", "globex"]));
}
