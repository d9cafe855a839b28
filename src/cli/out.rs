//! Standard output that a closed pipe (`planscope … | head`) ends quietly instead of
//! panicking, as `println!` does on EPIPE.

use std::io::Write;

/// Writes to stdout; when the reader has gone away, exits with success (the consumer
/// took what it wanted). Other write errors exit 2 with a message.
pub fn write(text: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(text).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("planscope: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}

/// `println!` through [`write`].
macro_rules! say {
    () => { $crate::cli::out::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out::write(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` through [`write`].
macro_rules! say_raw {
    ($($arg:tt)*) => { $crate::cli::out::write(format_args!($($arg)*)) };
}

pub(crate) use {say, say_raw};
