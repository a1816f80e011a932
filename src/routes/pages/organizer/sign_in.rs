//! Signing in and out, and setting a password through the one-time link.

#[allow(unused_imports)]
use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SignInForm {
    csrf: String,
    email: String,
    password: String,
}

pub(crate) async fn sign_in_page(web: Web) -> Response {
    respond(
        &web,
        render(
            "organizer/sign_in.html",
            context! { ..base(&web, None), ..context! { email => "" } },
        ),
    )
}

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    web: Web,
    ClientIp(from): ClientIp,
    Form(form): Form<SignInForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let limits = accounts::SignInLimits::from_settings(&state.settings.security);
        accounts::sign_in(&state.db, &limits, &form.email, &form.password, from).await
    }
    .await;
    match result {
        Ok((_, token)) => {
            let mut response = Redirect::to("/organizer").into_response();
            let max_age = accounts::SESSION_DAYS * 24 * 3600;
            append_cookie(
                response.headers_mut(),
                &set_cookie(&web.session_cookie(), &token, max_age, web.secure),
            );
            web.finish(response)
        }
        Err(AppError::Internal(e)) => web.error(AppError::Internal(e), lang(&web)),
        Err(problem) => {
            let ctx = context! { ..base(&web, None), ..context! { email => &form.email, problem => problem.to_string() } };
            respond(
                &web,
                render("organizer/sign_in.html", ctx)
                    .map(|page| problem.decorate((problem.status(), page).into_response())),
            )
        }
    }
}

pub(crate) async fn sign_out(
    State(state): State<AppState>,
    web: Web,
    headers: axum::http::HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        if let Some(token) = cookie(&headers, &web.session_cookie()) {
            accounts::sign_out(&state.db, token).await?;
        }
        let mut response = Redirect::to("/organizer/sign-in").into_response();
        append_cookie(
            response.headers_mut(),
            &set_cookie(&web.session_cookie(), "", 0, web.secure),
        );
        Ok(response)
    };
    respond(&web, result.await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PasswordForm {
    csrf: String,
    password: String,
    repeat: String,
}

pub(crate) async fn set_password_page(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
) -> Response {
    let result = async {
        let organizer = accounts::link_owner(&state.db, &token).await?;
        render(
            "organizer/set_password.html",
            context! { ..base(&web, None), ..context! { who => organizer.email, token => token } },
        )
    };
    respond(&web, result.await)
}

pub(crate) async fn set_password(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        if form.password != form.repeat {
            return Err(AppError::BadRequest("the two passwords differ".into()));
        }
        accounts::set_password(&state.db, &token, &form.password).await?;
        to("/organizer/sign-in".into())
    };
    match result.await {
        Err(AppError::BadRequest(problem)) => {
            let ctx =
                context! { ..base(&web, None), ..context! { token => token, problem => problem } };
            respond(
                &web,
                render("organizer/set_password.html", ctx)
                    .map(|p| (axum::http::StatusCode::BAD_REQUEST, p).into_response()),
            )
        }
        other => respond(&web, other),
    }
}
