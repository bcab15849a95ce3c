//! A progress bar for long lints, drawn on stderr.
//!
//! Most roots lint in well under a second, and a bar that flashes up and
//! vanishes is noise; so the bar stays hidden until the work has taken
//! [`DELAY`], and is never shown when stderr is not a terminal (CI logs,
//! pipes) or with `--quiet`.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use evc::Step;

/// How long the work runs before the bar appears.
pub const DELAY: Duration = Duration::from_secs(1);

/// Whether a bar may be shown at all: not with `--quiet`, and only on a
/// terminal, where it can be redrawn in place.
pub fn wanted(quiet: bool, stderr_is_terminal: bool) -> bool {
    !quiet && stderr_is_terminal
}

/// A bar that shows itself once its work has run for a while.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    /// Dropped when the work ends, which wakes the revealing thread early.
    done: Option<Sender<()>>,
    reveal: Option<JoinHandle<()>>,
}

impl Progress {
    /// A bar that is never drawn.
    pub fn hidden() -> Self {
        Progress {
            bar: ProgressBar::hidden(),
            done: None,
            reveal: None,
        }
    }

    /// The bar `evc` draws: on stderr after [`DELAY`] when [`wanted`],
    /// else never.
    pub fn stderr(quiet: bool, stderr_is_terminal: bool) -> Self {
        if wanted(quiet, stderr_is_terminal) {
            Progress::delayed(ProgressDrawTarget::stderr(), DELAY)
        } else {
            Progress::hidden()
        }
    }

    /// A bar drawn on `target` once `delay` has passed, unless the work
    /// finished first.
    pub fn delayed(target: ProgressDrawTarget, delay: Duration) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(style());
        let (done, wait) = mpsc::channel::<()>();
        let shown = bar.clone();
        let reveal = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(delay) {
                shown.set_draw_target(target);
                // Keeps the bar alive through a long step that reports nothing.
                shown.enable_steady_tick(Duration::from_millis(100));
            }
        });
        Progress {
            bar,
            done: Some(done),
            reveal: Some(reveal),
        }
    }

    /// Follows one step of a lint.
    pub fn observe(&self, step: Step) {
        match step {
            Step::Read { files } => {
                self.bar.set_length(files as u64);
                self.bar.set_message("parsing");
            }
            Step::Parsed(_) => self.bar.inc(1),
            Step::Checking { contracts } => self.bar.set_message(format!(
                "checking {contracts} contract{}",
                if contracts == 1 { "" } else { "s" }
            )),
            Step::Checked => self.bar.set_message("checked"),
        }
    }

    /// Removes the bar, so what is printed next starts on a clean line.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        drop(self.done.take());
        if let Some(reveal) = self.reveal.take() {
            // The thread only sets the draw target; it cannot panic.
            let _ = reveal.join();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::{Arc, Mutex};

    /// A terminal that records what is written to it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
    }

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn target(screen: &Screen) -> ProgressDrawTarget {
        ProgressDrawTarget::term_like(Box::new(screen.clone()))
    }

    fn lint_three_files(progress: &Progress) {
        progress.observe(Step::Read { files: 3 });
        for name in ["a.yaml", "b.yaml", "c.yaml"] {
            progress.observe(Step::Parsed(Path::new(name)));
        }
        progress.observe(Step::Checking { contracts: 3 });
    }

    #[test]
    fn only_a_terminal_without_quiet_gets_a_bar() {
        assert!(wanted(false, true));
        assert!(!wanted(true, true));
        assert!(!wanted(false, false));
        assert!(!wanted(true, false));
        assert!(Progress::stderr(false, false).bar.is_hidden());
        assert!(Progress::stderr(true, true).bar.is_hidden());
    }

    #[test]
    fn work_quicker_than_the_delay_draws_nothing() {
        let screen = Screen::default();
        let progress = Progress::delayed(target(&screen), Duration::from_secs(60));
        lint_three_files(&progress);
        progress.finish();
        assert_eq!(screen.text(), "");
    }

    #[test]
    fn slow_work_shows_the_files_parsed_and_the_step() {
        let screen = Screen::default();
        let progress = Progress::delayed(target(&screen), Duration::ZERO);
        // Wait until the revealing thread has switched the target on.
        while progress.bar.is_hidden() {
            std::thread::sleep(Duration::from_millis(5));
        }
        lint_three_files(&progress);
        progress.bar.force_draw();
        let text = screen.text();
        assert!(text.contains("3/3 files checking 3 contracts"), "{text:?}");
        progress.finish();
    }
}
