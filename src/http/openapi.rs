//! The OpenAPI description served at `/api/openapi.json`, built from the handlers' annotations.

use utoipa::OpenApi;

use super::api::{accounts, assets, capsules, quizzes, reports, rooms, sessions};
use super::ops;

#[derive(OpenApi)]
#[openapi(
    info(title = "Pratico Live", description = "Live training sessions over tldraw capsules. Errors are `{\"error\": {\"code\", \"message\"}}`."),
    paths(
        accounts::signup, accounts::login, accounts::logout, accounts::logout_all,
        accounts::change_password, accounts::me,
        capsules::create, capsules::list, capsules::get, capsules::update, capsules::delete,
        capsules::export, capsules::duplicate,
        assets::upload, assets::serve,
        quizzes::create, quizzes::import, quizzes::list, quizzes::get, quizzes::update, quizzes::delete,
        rooms::launch, rooms::list, rooms::get, rooms::update, rooms::end, rooms::join_info,
        sessions::list, sessions::events, sessions::erase, reports::report,
        super::live::upgrade, super::live::snapshot, super::canvas::upgrade, super::canvas::capsule_upgrade,
        super::canvas::set_drawing, super::canvas::drawing, super::canvas::save_board,
        ops::healthz, ops::readyz, ops::metrics, ops::openapi,
    ),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
