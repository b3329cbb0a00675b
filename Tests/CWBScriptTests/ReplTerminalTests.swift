import Foundation
import XCTest

/// The REPL under a real pseudo-terminal (tmux): readline history, tab completion, and Ctrl-C
/// stopping a long loop with the session still alive. Skips when tmux is not installed.
final class ReplTerminalTests: XCTestCase {
    var socket = ""

    /// Runs a tmux command on our own server socket through the shell (system/popen wait for
    /// the client with waitpid; the daemonised server gets /dev/null, never one of our pipes).
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let quoted = (["tmux", "-L", socket] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = quoted.joined(separator: " ") + " </dev/null 2>/dev/null"
        guard args.first == "capture-pane" else {
            _ = system(command + " >/dev/null")
            return ""
        }
        guard let pipe = popen(command, "r") else { return "" }
        defer { pclose(pipe) }
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, pipe)
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "cwb", "-S", "-200"]) }

    /// Waits until the screen shows `text` (at most `count` times seen before → a new one).
    func waitFor(_ text: String, occurrences: Int = 1, file: StaticString = #filePath, line: UInt = #line) throws {
        // A generous bound only so a broken build cannot hang CI; normal runs take milliseconds.
        for _ in 0..<600 {
            if try screen().components(separatedBy: text).count - 1 >= occurrences { return }
            usleep(100_000)
        }
        XCTFail("the terminal never showed '\(text)':\n\(try screen())", file: file, line: line)
        throw XCTSkip("stopping this test after the failure above")
    }

    func testHistoryCompletionAndCtrlCUnderATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            print("ReplTerminalTests skipped: tmux is not installed (apt-get install tmux)")
            throw XCTSkip("tmux is not installed")
        }
        let cwb = try cwbExecutable()
        let home = try temporaryDirectory("tty")
        let history = home.appendingPathComponent(".cwb_history")
        socket = "cwb-test-\(ProcessInfo.processInfo.processIdentifier)"
        defer { _ = try? tmux(["kill-server"]) }
        try tmux(["new-session", "-d", "-s", "cwb", "-x", "120", "-y", "50",
                  "env HOME='\(home.path)' TERM=xterm '\(cwb.path)'; sleep 30"])
        try waitFor("cwb>")   // tmux trims the trailing space

        // Tab completion of a variable, then of an attribute after '.'.
        try tmux(["send-keys", "-t", "cwb", "answer_value = 41", "Enter"])
        try tmux(["send-keys", "-t", "cwb", "answer_v", "Tab"])
        try waitFor("cwb> answer_value")
        try tmux(["send-keys", "-t", "cwb", " + 1", "Enter"])
        try waitFor("42")
        try tmux(["send-keys", "-t", "cwb", "m = zeros(2, 3)", "Enter"])
        try tmux(["send-keys", "-t", "cwb", "m.sha", "Tab"])
        try waitFor("cwb> m.shape")
        try tmux(["send-keys", "-t", "cwb", "Enter"])
        try waitFor("[2, 3]")

        // Commands complete too (readline splits ':' off the word).
        try tmux(["send-keys", "-t", "cwb", ":ty", "Tab"])
        try waitFor("cwb> :type")
        try tmux(["send-keys", "-t", "cwb", "m", "Enter"])
        try waitFor("tensor [2, 3] float32")

        // History: Up recalls an earlier entry.
        try tmux(["send-keys", "-t", "cwb", "Up", "Up", "Up"])
        try waitFor("cwb> m = zeros(2, 3)", occurrences: 2)
        try tmux(["send-keys", "-t", "cwb", "C-u", ""])

        // Ctrl-C interrupts a long loop; the session lives on and keeps its variables.
        try tmux(["send-keys", "-t", "cwb", "n = 0; while true { n += 1 }", "Enter"])
        usleep(500_000)
        try tmux(["send-keys", "-t", "cwb", "C-c", ""])
        try waitFor("interrupted: stopped by Ctrl-C")
        try tmux(["send-keys", "-t", "cwb", "print(\"alive\", n > 0)", "Enter"])
        try waitFor("alive true")

        // Ctrl-C at the prompt clears the half-typed line.
        try tmux(["send-keys", "-t", "cwb", "this is not valid code", ""])
        try tmux(["send-keys", "-t", "cwb", "C-c", ""])
        try tmux(["send-keys", "-t", "cwb", "6 * 7", "Enter"])
        try waitFor("42", occurrences: 2)
        let shown = try screen()
        XCTAssertFalse(shown.contains("syntax error"), shown)

        // Ctrl-D leaves; the history file kept the entries.
        try tmux(["send-keys", "-t", "cwb", "C-d", ""])
        for _ in 0..<100 where !(FileManager.default.contents(atPath: history.path).map { String(decoding: $0, as: UTF8.self).contains("6 * 7") } ?? false) {
            usleep(100_000)
        }
        let saved = String(decoding: FileManager.default.contents(atPath: history.path) ?? Data(), as: UTF8.self)
        XCTAssertTrue(saved.contains("answer_value = 41"), saved)
        XCTAssertTrue(saved.contains("6 * 7"), saved)
    }
}
