//! A bare Tauri v2 app: one window, one static page. The baseline ADO Connect's start-up is
//! measured against (see `benches/first-paint.py`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the bare app");
}
