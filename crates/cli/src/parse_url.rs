//! `ado-connect-cli parse-url URL`: one JSON object on stdout and exit 0, or a one-line message on
//! stderr and exit 2 when the input is not an Azure DevOps URL.

use std::process::ExitCode;

use ado_flows::interface::RepoUrl;

pub fn run(url: &str) -> ExitCode {
    match RepoUrl::parse(url) {
        Ok(parsed) => {
            println!(
                "{}",
                serde_json::to_string(&parsed.summary()).expect("the summary serializes")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            // One line, whatever the error's own formatting.
            eprintln!("error: {}", error.to_string().replace('\n', " "));
            ExitCode::from(2)
        }
    }
}
