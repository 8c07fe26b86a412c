//! The framework's ceiling: a minimal actix-web app with litekv's request and response
//! shapes and no storage. `bench/run` measures litekv against it in the same run.
//!
//! `GET /<key>/` answers a fixed JSON body; `POST /<key>/` parses the JSON body, as litekv
//! does, and answers a fixed one.

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::Value;

const GET_BODY: &str = r#"{"key":"bench","value":{"user":"ada","plan":"pro","seats":42,"tags":["a","b"],"active":true},"ttl_remaining":-1}"#;
const SET_BODY: &str = r#"{"status":"ok","action":"updated","key":"bench","expires_at":null}"#;

async fn get() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(GET_BODY)
}

async fn set(body: web::Bytes) -> HttpResponse {
    match serde_json::from_slice::<Value>(&body) {
        Ok(_) => HttpResponse::Ok().content_type("application/json").body(SET_BODY),
        Err(_) => HttpResponse::BadRequest().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8001".to_owned());
    HttpServer::new(|| {
        App::new().service(
            web::resource("/{key:.*}/")
                .route(web::get().to(get))
                .route(web::post().to(set)),
        )
    })
    .bind(bind)?
    .run()
    .await
}
