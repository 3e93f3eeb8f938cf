use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use portico::apis::{self, ApiName};
use portico::config::{Config, FileConfig};

#[derive(Parser)]
#[command(name = "portico", version, about = "Amazon API Gateway, self-hosted")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(clap::Args, Clone, Default)]
struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:4566).
    #[arg(long, env = "PORTICO_LISTEN")]
    listen: Option<String>,
    /// A second address served over HTTPS: custom domains' certificates by SNI, mutual TLS.
    #[arg(long, env = "PORTICO_TLS_LISTEN")]
    tls_listen: Option<String>,
    /// Directory holding the embedded store (default ./portico-data).
    #[arg(long, env = "PORTICO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Keep all state in PostgreSQL (`postgres://user:password@host:port/db`) so that any
    /// number of nodes can share it, instead of SQLite in the data dir.
    #[arg(long, env = "PORTICO_DATABASE_URL")]
    database_url: Option<String>,
    /// Default region for unsigned calls (default us-east-1).
    #[arg(long, env = "PORTICO_REGION")]
    region: Option<String>,
    /// TOML configuration file; unknown keys are rejected.
    #[arg(long, env = "PORTICO_CONFIG")]
    config: Option<PathBuf>,
    /// Worker threads, each serving its own connections (default: half the CPUs, at least one).
    #[arg(long, env = "PORTICO_WORKERS")]
    workers: Option<usize>,
    /// Cluster metering: quotas, usage counts and throttles shared by every node through
    /// this Redis (`redis://host:port[/db]`). Unset: metering is local to this process.
    #[arg(long, env = "PORTICO_REDIS_URL")]
    redis_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every plane on one port (the default).
    Serve(ServeArgs),
    /// Print route tables as `Operation METHOD URI` (like oplist.py): one API's, or every
    /// API's (each after a `# name` line).
    Routes {
        /// Which API: apigateway, huawei-apig, huawei-vpcep, or all.
        #[arg(long, value_enum, default_value = "all")]
        api: ApiName,
        /// Append the success status code.
        #[arg(long)]
        status: bool,
        /// Append `supported` or `missing`.
        #[arg(long)]
        supported: bool,
    },
    /// Copy a single node's state into a cluster's database: every document (with its tenant,
    /// scope and order), usage count and quota adjustment. Running it again gives the same
    /// result. Nodes already serving from the database hear of every copied API.
    Migrate {
        /// The source: `sqlite:DIR`, a Portico data dir (stop the Portico using it first).
        #[arg(long)]
        from: String,
        /// The target: a `postgres://` URL.
        #[arg(long)]
        to: String,
        /// PEM certificates of the private CA that signed PostgreSQL's certificate (as the
        /// `database_ca_file` config key).
        #[arg(long)]
        database_ca_file: Option<PathBuf>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Routes {
            api,
            status,
            supported,
        }) => {
            print!("{}", apis::route_listing(api, status, supported));
            std::process::ExitCode::SUCCESS
        }
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Migrate {
            from,
            to,
            database_ca_file,
        }) => migrate(&from, &to, database_ca_file.as_deref()),
        None => serve(cli.serve),
    }
}

fn serve(args: ServeArgs) -> std::process::ExitCode {
    tracing_subscriber::fmt()
        // Colours only for a terminal: a log file gets plain lines (and each event is cheaper).
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_env("PORTICO_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let mut file = match args.config.as_deref().map(FileConfig::load).transpose() {
        Ok(f) => f.unwrap_or_default(),
        Err(e) => {
            eprintln!("portico: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    file.workers = args.workers.or(file.workers);
    file.redis_url = args.redis_url.or(file.redis_url);
    let database_url = args.database_url.clone();
    let config = match Config::resolve_with_tls(
        file,
        args.listen,
        args.tls_listen,
        args.data_dir,
        args.region,
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portico: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut config = config;
    if database_url.is_some() {
        match portico::config::check_database_url(database_url) {
            Ok(u) => config.database_url = u,
            Err(e) => {
                eprintln!("portico: --database-url: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    if config.seeded_credentials {
        tracing::warn!(
            "no credentials configured: seeded access key 'test' / secret 'test' for account {}; loopback only",
            portico::config::SEEDED_ACCOUNT
        );
    }
    // The acceptor and worker 0; the server starts the other workers (see `server`).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("portico: cannot start runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let server = match portico::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("portico: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        if let Some(addr) = server.tls_addr() {
            tracing::info!(%addr, "serving HTTPS");
        }
        match server.local_addr() {
            Ok(addr) => tracing::info!(%addr, "ready"),
            Err(e) => tracing::warn!(error = %e, "ready (address unknown)"),
        }
        server.run(portico::server::shutdown_signal()).await;
        std::process::ExitCode::SUCCESS
    })
}

/// `portico migrate --from sqlite:DIR --to postgres://…`.
fn migrate(from: &str, to: &str, ca_file: Option<&std::path::Path>) -> std::process::ExitCode {
    let Some(dir) = from.strip_prefix("sqlite:") else {
        eprintln!("portico migrate: --from must be sqlite:DIR (a Portico data dir), not {from:?}");
        return std::process::ExitCode::from(2);
    };
    let to = match portico::config::check_database_url(Some(to.to_string())) {
        Ok(Some(u)) => u,
        Ok(None) | Err(_) => {
            eprintln!("portico migrate: --to must be a postgres:// URL");
            return std::process::ExitCode::from(2);
        }
    };
    let dir = PathBuf::from(dir);
    if !dir.join("portico.sqlite3").is_file() {
        eprintln!(
            "portico migrate: {} holds no Portico store (no portico.sqlite3)",
            dir.display()
        );
        return std::process::ExitCode::from(2);
    }
    let source = match portico_store::SqliteStore::open(&dir).and_then(|s| s.export()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("portico migrate: cannot read {}: {e}", dir.display());
            return std::process::ExitCode::FAILURE;
        }
    };
    let ca_pem = match portico::config::database_options(None, ca_file) {
        Ok(o) => o.ca_pem,
        Err(e) => {
            eprintln!("portico migrate: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let options = portico_store::PgStoreOptions {
        ca_pem,
        ..Default::default()
    };
    let target = match portico_store::PgStore::open(&to, options) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("portico migrate: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match target.import(source) {
        Ok(n) => {
            println!(
                "migrated {} documents, {} usage counts and {} quota adjustments from {} (schema version {})",
                n.documents,
                n.usage_rows,
                n.quota_adjustments,
                dir.display(),
                target.schema_version()
            );
            if dir.join("lambda").is_dir() {
                println!(
                    "note: Lambda function code stays in {}: copy that folder to every node's data dir",
                    dir.join("lambda").display()
                );
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("portico migrate: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
