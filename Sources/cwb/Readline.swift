@preconcurrency import CReadline
import CWBCore
import CWBScript
import Foundation

/// GNU readline for the terminal REPL: history in ~/.cwb_history, completion through
/// `Completion`, and Ctrl-C at the prompt clearing the line.
enum Readline {
    /// The session completion looks into (readline's callbacks are C functions without context).
    nonisolated(unsafe) static var session: ReplSession?
    nonisolated(unsafe) static var historyPath = ""

    static func setUp(session: ReplSession) {
        Readline.session = session
        rl_readline_name = UnsafePointer(strdup("cwb"))
        rl_completer_word_break_characters = UnsafePointer(strdup(Completion.wordBreaks))
        rl_attempted_completion_function = { text, start, _ in
            rl_attempted_completion_over = 1
            guard let text, let session = Readline.session else { return nil }
            let word = String(cString: text)
            let lineBytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(rl_line_buffer).assumingMemoryBound(to: UInt8.self),
                                                      count: Int(start)))
            let before = String(decoding: lineBytes, as: UTF8.self)
            let result = Completion.complete(word: word, before: before, interpreter: session.interpreter)
            if result.isPath, result.matches.count == 1, result.matches[0].hasSuffix("/") { rl_completion_append_character = 0 }
            else if result.isPath { rl_completion_append_character = 0 }
            return Readline.matchArray(result.matches)
        }
        // Ctrl-C at the prompt: readline hands the signal to our handler, then calls this hook
        // in normal context: clear the request and give the user an empty line.
        rl_signal_event_hook = {
            if StopRequest.isRequested {
                StopRequest.clear()
                rl_replace_line("", 0)
                rl_crlf()
                rl_on_new_line()
                rl_redisplay()
            }
            return 0
        }
        let env = ProcessInfo.processInfo.environment
        historyPath = env["CWB_HISTORY"] ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.cwb_history")
        using_history()
        if !FileManager.default.fileExists(atPath: historyPath) {
            _ = FileManager.default.createFile(atPath: historyPath, contents: nil)
        }
        read_history(historyPath)
    }

    /// readline's match array: the common prefix first, then the matches, then NULL; readline frees it.
    static func matchArray(_ matches: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard !matches.isEmpty else { return nil }
        var prefix = matches[0]
        for m in matches.dropFirst() { while !m.hasPrefix(prefix) { prefix.removeLast() } }
        let items = matches.count == 1 ? [matches[0]] : [prefix] + matches
        // readline frees with free(): the array must come from malloc.
        guard let raw = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (items.count + 1)) else { return nil }
        let out = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: items.count + 1)
        for (i, s) in items.enumerated() { out[i] = strdup(s) }
        out[items.count] = nil
        return out
    }

    /// One line, or nil at Ctrl-D.
    static func read(prompt: String) -> String? {
        guard let line = readline(prompt) else { return nil }
        defer { free(line) }
        return String(cString: line)
    }

    static func remember(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        add_history(line)
        append_history(1, historyPath)
    }

    static func finish() {
        history_truncate_file(historyPath, 2000)
    }
}
