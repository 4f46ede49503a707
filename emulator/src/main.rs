//! `edge-emulator` command line: `serve` (the default), `query`, `import-profiles`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use edge_emulator::config::{self, Config};
use edge_emulator::{profiles, store, table, util};

const USAGE: &str = "\
edge-emulator: a local Adobe Edge Network emulator with an event store and a viewer

USAGE
  edge-emulator [serve] [OPTIONS]         start the emulator (HTTPS, optional plain HTTP)
  edge-emulator query [--db PATH] [--json] [--wide] \"SELECT ...\"
                                          run one read-only SELECT on the event store
  edge-emulator import-profiles [--db PATH] FILE
                                          load Individual Profile records (JSON lines or CSV)

SERVE OPTIONS
  --port N                HTTPS port (default 8443; 0 = any free port)
  --http-port N           also serve plain HTTP on this port (viewer, admin API, Edge paths)
  --bind ADDR             address to listen on (default 127.0.0.1)
  --data-dir DIR          where events.db, ca.pem, cert.pem live (default .edge-emulator)
  --db PATH               SQLite file (default DATA_DIR/events.db)
  --tls-dir DIR           certificate directory (default DATA_DIR)
  --host NAME             extra certificate name (repeatable); the server answers any Host
  --datastream ID=ORG[:DATASET]
                          a datastream and the IMS org naming its cookies (repeatable);
                          ID '*' accepts every datastream id with that org
  --datastreams-file FILE JSON ({\"id\": {\"orgId\", \"datasetId\"}}) or lines of ID=ORG[:DATASET]
  --no-default-datastreams
                          drop the built-in ds-1, demo-datastream and the capture datastream
  --client-timeout SECS   time a client gets to send headers or a body (default 10)
  --verbose               one line per Edge request on stderr

QUERY OPTIONS
  --json                  one JSON object per row instead of a table
  --wide                  do not cut long cells (default: 80 characters)

The printed line 'READY https_port=N http_port=M' tells scripts the server is up.
See emulator/README.md for the admin API and how browsers reach the emulator.
";

fn take_value(args: &[String], i: &mut usize, flag: &str) -> Result<String, String> {
    *i += 1;
    args.get(*i).cloned().ok_or_else(|| format!("{flag} needs a value"))
}

fn parse_port(v: &str, flag: &str) -> Result<u16, String> {
    v.parse().map_err(|_| format!("{flag}: '{v}' is not a port number"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some("-V" | "--version") => {
            println!("edge-emulator {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Some("query") => cmd_query(&args[1..]),
        Some("import-profiles") => cmd_import(&args[1..]),
        Some("serve") => cmd_serve(&args[1..]),
        _ => cmd_serve(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edge-emulator: {e}");
            ExitCode::from(2)
        }
    }
}

/// Resolves `--db` / `--data-dir` for the offline subcommands; returns the remaining arguments.
fn db_and_rest(args: &[String]) -> Result<(PathBuf, Vec<String>, Vec<String>), String> {
    let (mut db, mut data_dir, mut flags, mut rest) = (None, PathBuf::from(".edge-emulator"), Vec::new(), Vec::new());
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--db" => db = Some(PathBuf::from(take_value(args, &mut i, "--db")?)),
            "--data-dir" => data_dir = PathBuf::from(take_value(args, &mut i, "--data-dir")?),
            f if f.starts_with("--") => flags.push(f.to_string()),
            other => rest.push(other.to_string()),
        }
        i += 1;
    }
    Ok((db.unwrap_or_else(|| data_dir.join("events.db")), flags, rest))
}

fn cmd_query(args: &[String]) -> Result<ExitCode, String> {
    let (db, flags, rest) = db_and_rest(args)?;
    for f in &flags {
        if f != "--json" && f != "--wide" {
            return Err(format!("query: unknown option {f}"));
        }
    }
    let sql = match rest.as_slice() {
        [sql] => sql.clone(),
        [] => {
            return Err("query: give one SQL statement, e.g. \"SELECT * FROM dataset ORDER BY timestamp DESC\"".into())
        }
        _ => rest.join(" "),
    };
    let result = store::query_readonly(&db, &sql, None, Duration::from_secs(60))?;
    if flags.iter().any(|f| f == "--json") {
        print!("{}", table::format_json_lines(&result));
    } else {
        let width = if flags.iter().any(|f| f == "--wide") { 0 } else { 80 };
        print!("{}", table::format_table(&result, width));
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_import(args: &[String]) -> Result<ExitCode, String> {
    let (db, flags, rest) = db_and_rest(args)?;
    if let Some(f) = flags.first() {
        return Err(format!("import-profiles: unknown option {f}"));
    }
    let [file] = rest.as_slice() else {
        return Err("import-profiles: give one FILE (JSON lines or CSV)".into());
    };
    let text = std::fs::read_to_string(file).map_err(|e| format!("reading {file}: {e}"))?;
    let parsed = profiles::parse_file(&text);
    let store = store::Store::open(&db)?;
    let n = store.upsert_profiles(&parsed.profiles, &util::format_iso_ms(util::now_ms()))?;
    println!("imported {n} profile{} into {}", if n == 1 { "" } else { "s" }, db.display());
    if parsed.rejected.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("rejected {} record{}:", parsed.rejected.len(), if parsed.rejected.len() == 1 { "" } else { "s" });
    for r in &parsed.rejected {
        eprintln!("  {file}:{}: {}", r.line, r.reason);
    }
    Ok(ExitCode::from(1))
}

fn cmd_serve(args: &[String]) -> Result<ExitCode, String> {
    let mut data_dir = PathBuf::from(".edge-emulator");
    let (mut db, mut tls_dir) = (None, None);
    let mut extra = Vec::new();
    let mut no_defaults = false;
    let mut cfg = Config::new(&data_dir);
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        match flag {
            "--port" => cfg.https_port = parse_port(&take_value(args, &mut i, flag)?, flag)?,
            "--http-port" => cfg.http_port = Some(parse_port(&take_value(args, &mut i, flag)?, flag)?),
            "--bind" => {
                let v = take_value(args, &mut i, flag)?;
                cfg.bind = v.parse().map_err(|_| format!("--bind: '{v}' is not an IP address"))?;
            }
            "--data-dir" => data_dir = PathBuf::from(take_value(args, &mut i, flag)?),
            "--db" => db = Some(PathBuf::from(take_value(args, &mut i, flag)?)),
            "--tls-dir" => tls_dir = Some(PathBuf::from(take_value(args, &mut i, flag)?)),
            "--host" => cfg.hosts.push(take_value(args, &mut i, flag)?),
            "--datastream" => extra.push(config::parse_datastream(&take_value(args, &mut i, flag)?)?),
            "--datastreams-file" => {
                let f = take_value(args, &mut i, flag)?;
                let text = std::fs::read_to_string(&f).map_err(|e| format!("reading {f}: {e}"))?;
                extra.extend(config::parse_datastreams_file(&text)?);
            }
            "--no-default-datastreams" => no_defaults = true,
            "--client-timeout" => {
                let v = take_value(args, &mut i, flag)?;
                cfg.client_timeout_secs =
                    v.parse().ok().filter(|n| *n > 0).ok_or(format!("{flag}: '{v}' is not a positive number"))?;
            }
            "--verbose" | "-v" => cfg.verbose = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(format!("unknown argument '{other}' (see --help)")),
        }
        i += 1;
    }
    if no_defaults {
        cfg.datastreams.clear();
    }
    for ds in extra {
        cfg.add_datastream(ds);
    }
    if cfg.datastreams.is_empty() {
        return Err("no datastreams configured (use --datastream ID=ORG)".into());
    }
    cfg.db_path = db.unwrap_or_else(|| data_dir.join("events.db"));
    cfg.tls_dir = tls_dir.unwrap_or_else(|| data_dir.clone());
    if !cfg.bind.is_loopback() {
        eprintln!("edge-emulator: warning: listening on {}; the admin API has no authentication", cfg.bind);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async move {
        let server = edge_emulator::start(cfg.clone()).await?;
        let https = server.https_addr;
        println!("edge-emulator {} ready", env!("CARGO_PKG_VERSION"));
        println!("  https   https://{https}/  (Edge endpoints answer any Host name; viewer at /)");
        if let Some(http) = server.http_addr {
            println!("  http    http://{http}/  (viewer, admin API, Edge endpoints)");
        }
        println!(
            "  CA      {}  (trust it, or start Chromium with --ignore-certificate-errors)",
            server.state.tls_files.ca_pem_path.display()
        );
        println!("  db      {}", cfg.db_path.display());
        for ds in cfg.datastreams.values() {
            println!("  datastream {}  org {}  dataset {}", ds.id, ds.org_id, ds.dataset_id);
        }
        let http_port = server.http_addr.map(|a| a.port().to_string()).unwrap_or_else(|| "-".into());
        println!("READY https_port={} http_port={http_port}", https.port());
        wait_for_signal().await;
        eprintln!("edge-emulator: shutting down");
        server.shutdown().await;
        Ok::<_, String>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
