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

pub(crate) async fn sign_in_page(web: Web) -> PageResult {
    render(
        "organizer/sign_in.html",
        context! { ..base(&web, None), ..context! { email => "" } },
    )
}

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    web: Web,
    ClientIp(from): ClientIp,
    Form(form): Form<SignInForm>,
) -> PageResult {
    let signed_in = async {
        web.check_csrf(&form.csrf)?;
        let limits = accounts::SignInLimits::from_settings(&state.settings.security);
        accounts::sign_in(&state.db, &limits, &form.email, &form.password, from).await
    };
    match signed_in.await {
        Ok((_, token)) => {
            let mut response = Redirect::to("/organizer").into_response();
            let max_age = accounts::SESSION_DAYS * 24 * 3600;
            append_cookie(
                response.headers_mut(),
                &set_cookie(&web.session_cookie(), &token, max_age, web.secure),
            );
            Ok(response)
        }
        Err(problem) => {
            reshow(told(problem, lang(&web)), async |problem| {
                let ctx = context! { ..base(&web, None), ..context! { email => &form.email, problem => problem } };
                render("organizer/sign_in.html", ctx)
            })
            .await
        }
    }
}

pub(crate) async fn sign_out(
    State(state): State<AppState>,
    web: Web,
    headers: axum::http::HeaderMap,
    Form(form): Form<CsrfForm>,
) -> PageResult {
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
) -> PageResult {
    let organizer = accounts::link_owner(&state.db, &token).await?;
    render(
        "organizer/set_password.html",
        context! { ..base(&web, None), ..context! { who => organizer.email, token => token } },
    )
}

pub(crate) async fn set_password(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let set = async {
        web.check_csrf(&form.csrf)?;
        if form.password != form.repeat {
            return Err(AppError::BadRequest("the two passwords differ".into()));
        }
        accounts::set_password(&state.db, &token, &form.password).await?;
        Ok(())
    };
    match set.await {
        Ok(()) => to("/organizer/sign-in".into()),
        // A password the rules refuse is said on the form; anything else (an unknown or
        // used link, an expired form) is the error page.
        Err(problem @ AppError::BadRequest(_)) => reshow(told(problem, lang(&web)), async |problem| {
            let ctx =
                context! { ..base(&web, None), ..context! { token => &token, problem => problem } };
            render("organizer/set_password.html", ctx)
        })
        .await,
        Err(e) => Err(e.into()),
    }
}
