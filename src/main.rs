use clap::Parser;
use meridian::cli::{
    Cli, Command, MailCommand, OrganizerCommand, backup, create_organizer, create_token,
    list_tokens, password_link, receive_mail, restore, revoke_token,
};
use meridian::config::{LogFormat, Settings};
use meridian::startup::App;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("meridian: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match settings.log.format {
        LogFormat::Text => logs.init(),
        // One object a line; the request span's fields (request_id, route) in each.
        LogFormat::Json => logs.json().init(),
    }
    if let Some(Command::Mail {
        command: MailCommand::Receive,
    }) = cli.command
    {
        let mut raw = Vec::new();
        if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut raw) {
            eprintln!("meridian: reading standard input: {e}");
            return std::process::ExitCode::from(75);
        }
        return std::process::ExitCode::from(receive_mail(settings, &raw).await);
    }
    match run(cli, settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("meridian: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = App::build(settings).await?;
            tracing::info!(address = %app.address(), "Meridian is listening");
            app.run_until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        Command::Organizer {
            command: OrganizerCommand::Create { email, name },
        } => {
            for line in create_organizer(&settings, &email, &name).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Organizer {
            command: OrganizerCommand::PasswordLink { email },
        } => {
            println!("{}", password_link(&settings, &email).await?);
            Ok(())
        }
        Command::Organizer {
            command: OrganizerCommand::Tokens { email },
        } => {
            for line in list_tokens(&settings, &email).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Organizer {
            command: OrganizerCommand::TokenCreate { email, label },
        } => {
            for line in create_token(&settings, &email, &label).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Organizer {
            command: OrganizerCommand::TokenRevoke { email, id },
        } => {
            println!("{}", revoke_token(&settings, &email, &id).await?);
            Ok(())
        }
        Command::Backup { path } => {
            for line in backup(&settings, &path).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Mail { .. } => unreachable!("answered before"),
        Command::Restore { path, force } => {
            for line in restore(&settings, &path, force).await? {
                println!("{line}");
            }
            Ok(())
        }
    }
}
