//! Link options for the server binary only (tests, benches and the library are
//! untouched, and no dependency is rebuilt for them).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        // Packed relative relocations (DT_RELR): the position-independent
        // binary keeps ASLR, while its relative relocations shrink from 24
        // bytes each to a bitmap, about a megabyte less on disk. GNU ld only
        // emits them when the glibc it links against (2.36 or newer) can read
        // them, so an older build host still gets a working binary.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
