//! The container files, checked without a Docker engine (none runs on the build machines):
//! hadolint lints the Dockerfile; the image's environment, command and healthcheck, and
//! compose.yaml's services, run against the binaries built here; and the README builds
//! with the Dockerfile's own command.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::clients::{debian_package, python_clients, run};
use crate::helpers::RunningBinary;

fn repository_file(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// The final stage's instructions, as (instruction, arguments), continuation lines joined.
fn runtime_stage() -> Vec<(String, String)> {
    let dockerfile = repository_file("Dockerfile").replace("\\\n", " ");
    let instructions: Vec<(String, String)> = dockerfile
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (instruction, arguments) = line.split_once(' ').unwrap();
            (
                instruction.to_owned(),
                arguments.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    let last_from = instructions
        .iter()
        .rposition(|(instruction, _)| instruction == "FROM")
        .unwrap();
    instructions[last_from..].to_vec()
}

fn instruction(stage: &[(String, String)], name: &str) -> String {
    stage
        .iter()
        .find(|(instruction, _)| instruction == name)
        .unwrap_or_else(|| panic!("no {name} in the runtime stage"))
        .1
        .clone()
}

/// The image's environment, with `/data` moved to `data_dir` and the ports left to the system.
fn image_environment(data_dir: &Path) -> Vec<(String, String)> {
    let stage = runtime_stage();
    instruction(&stage, "ENV")
        .split_whitespace()
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            let value = value
                .replace("/data", data_dir.to_str().unwrap())
                .replace(":8000", ":0")
                .replace(":6379", ":0");
            (name.to_owned(), value)
        })
        .collect()
}

fn compose() -> Value {
    let python = python_clients();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("compose.yaml");
    let json = run(Command::new(python).args([
        "-c",
        "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        file.to_str().unwrap(),
    ]));
    serde_json::from_str(&json).unwrap()
}

#[actix_web::test]
async fn the_dockerfile_passes_hadolint() {
    let hadolint = python_clients().with_file_name("hadolint");
    run(Command::new(hadolint)
        .arg("Dockerfile")
        .current_dir(env!("CARGO_MANIFEST_DIR")));
}

#[actix_web::test]
async fn the_image_runs_as_a_user_with_the_database_on_a_volume() {
    let stage = runtime_stage();
    assert_eq!(instruction(&stage, "USER"), "10001:10001");
    assert_eq!(instruction(&stage, "VOLUME"), "/data");
    assert_eq!(instruction(&stage, "CMD"), r#"["litekv-server"]"#);
    let environment = image_environment(Path::new("/data"));
    assert!(environment.contains(&("DATABASE_URL".to_owned(), "sqlite:///data/db.sqlite3".to_owned())));
    let build = build_command();
    assert!(
        repository_file("docs/operations.md").contains(&build),
        "docs/operations.md builds with the Dockerfile's command: {build}"
    );
}

/// The build stage's `cargo build` command.
fn build_command() -> String {
    let dockerfile = repository_file("Dockerfile");
    let line = dockerfile
        .lines()
        .find(|line| line.starts_with("RUN cargo build"))
        .unwrap();
    line.trim_start_matches("RUN ").to_owned()
}

#[actix_web::test]
async fn the_images_command_refuses_to_serve_without_a_token_and_passes_its_healthcheck_with_one() {
    let data = tempfile::tempdir().unwrap();
    let environment = image_environment(data.path());
    let environment: Vec<(&str, &str)> = environment.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    let anonymous = Command::new(env!("CARGO_BIN_EXE_litekv-server"))
        .envs(environment.iter().copied())
        .output()
        .unwrap();
    assert!(!anonymous.status.success());
    let error = String::from_utf8_lossy(&anonymous.stderr);
    assert!(error.contains("refusing to serve 0.0.0.0:"), "{error}");

    // compose.yaml's server: the image plus its environment, with the token filled in.
    let compose = compose();
    let server_env = compose["services"]["server"]["environment"]
        .as_object()
        .unwrap()
        .clone();
    let mut with_token = environment.clone();
    let filled: Vec<(String, String)> = server_env
        .iter()
        .map(|(name, value)| match name.as_str() {
            "LITEKV_TOKEN" => (name.clone(), "container-token".to_owned()),
            _ => (name.clone(), value.as_str().unwrap().to_owned()),
        })
        .collect();
    with_token.extend(filled.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let server = RunningBinary::start_with_env("litekv-server", &[], &with_token);
    let address = server.server_address().await;
    let port = address.rsplit(':').next().unwrap();

    debian_package("curl", "curl");
    let healthcheck: Vec<String> = serde_json::from_str(
        instruction(&runtime_stage(), "HEALTHCHECK")
            .split_once("CMD ")
            .unwrap()
            .1,
    )
    .unwrap();
    let healthcheck: Vec<String> = healthcheck
        .iter()
        .map(|part| part.replace(":8000", &format!(":{port}")))
        .collect();
    run(Command::new(&healthcheck[0]).args(&healthcheck[1..]));

    // compose.yaml's cleanup service: the same image and volume, its own command.
    let cleanup = &compose["services"]["cleanup"];
    assert_eq!(cleanup["image"], compose["services"]["server"]["image"]);
    assert_eq!(cleanup["volumes"], compose["services"]["server"]["volumes"]);
    assert_eq!(
        cleanup["volumes"][0], "data:/data",
        "the volume holds the image's DATABASE_URL"
    );
    let command: Vec<&str> = cleanup["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|part| part.as_str().unwrap())
        .collect();
    let [binary] = command[..] else { panic!("{command:?}") };
    let mut once = RunningBinary::start_with_env(binary, &["--once"], &environment);
    assert!(once.wait().await.success(), "{}", once.log());
    assert!(once.log().contains("purged"), "{}", once.log());
    drop(server);
}

/// compose.yaml's `postgres` profile: PostgreSQL, and two servers of the image on its
/// database (the role, password and database the `postgres` service creates), each on ports
/// of its own. That servers share a database is tested in `multi_server.rs`.
#[actix_web::test]
async fn the_postgres_profile_runs_two_servers_on_the_postgres_service_database() {
    let compose = compose();
    let services = &compose["services"];
    let postgres = &services["postgres"];
    assert_eq!(postgres["profiles"], serde_json::json!(["postgres"]));
    let user = postgres["environment"]["POSTGRES_USER"].as_str().unwrap();
    let database = postgres["environment"]["POSTGRES_DB"].as_str().unwrap();
    let expected_url = format!("postgres://{user}:${{POSTGRES_PASSWORD}}@postgres:5432/{database}");
    let servers = [&services["server-a"], &services["server-b"]];
    for server in servers {
        assert_eq!(server["profiles"], serde_json::json!(["postgres"]));
        assert_eq!(server["image"], services["server"]["image"]);
        assert_eq!(server["environment"]["DATABASE_URL"], expected_url.as_str());
        assert_eq!(
            server["environment"]["LITEKV_TOKEN"],
            services["server"]["environment"]["LITEKV_TOKEN"]
        );
        assert_eq!(server["depends_on"]["postgres"]["condition"], "service_healthy");
    }
    assert_ne!(servers[0]["ports"], servers[1]["ports"]);
    // The default services stay as they were: `docker compose up` runs one server on SQLite.
    assert!(services["server"]["profiles"].is_null());
}
