import SluiceCore
import SluiceStore

/// Draws a ``FlowGraph`` as inline SVG on the server: modules top to bottom joined by lines,
/// containers as frames holding their iterations or branches side by side (a branch not taken
/// dashed and dimmed), each step coloured by its state with its duration, a gate with its
/// approvals and deadline, each node linked to its step's page (a subflow's node to the subflow).
/// Every text is XML-escaped.
enum FlowGraphSVG {
    static let nodeWidth = 210
    static let nodeHeight = 48
    static let gateExtra = 18
    static let gap = 22
    static let pad = 10
    static let header = 26
    static let label = 18
    static let columnGap = 14

    static func svg(_ graph: FlowGraph, now: Int64) -> String {
        var body: [String] = []
        let (width, height) = sequenceSize(graph.nodes)
        drawSequence(graph.nodes, x: 10, y: 10, width: width, into: &body, now: now)
        var total = height + 20
        var totalWidth = width + 20
        if !graph.failure.isEmpty {
            let (failureWidth, failureHeight) = sequenceSize(graph.failure)
            body.append(##"<text x="10" y="\##(total + 14)" class="label">on failure</text>"##)
            drawSequence(graph.failure, x: 10, y: total + 22, width: failureWidth, into: &body, now: now)
            total += failureHeight + 32
            totalWidth = max(totalWidth, failureWidth + 20)
        }
        return """
            <svg class="flow-graph" role="img" aria-label="the flow's modules and their states" xmlns="http://www.w3.org/2000/svg" \
            width="\(totalWidth)" height="\(total)" viewBox="0 0 \(totalWidth) \(total)">
            \(body.joined(separator: "\n"))
            </svg>
            """
    }

    // MARK: Sizes

    static func nodeBoxHeight(_ node: FlowGraph.Node) -> Int {
        nodeHeight + (outcomeLine(node) == nil ? 0 : gateExtra) + (node.gate == nil ? 0 : gateExtra)
    }

    /// The line under a finished step's state: the start of its result or error.
    static func outcomeLine(_ node: FlowGraph.Node) -> String? {
        guard !node.dimmed, let step = node.step, step.state.isFinal, let outcome = step.outcome else { return nil }
        return "→ " + outcome
    }

    static func size(_ node: FlowGraph.Node) -> (Int, Int) {
        guard !node.columns.isEmpty else { return (nodeWidth, nodeBoxHeight(node)) }
        let columns = node.columns.map { columnSize($0) }
        let inner = columns.map(\.0).reduce(0, +) + columnGap * (columns.count - 1)
        return (
            max(nodeWidth, inner) + 2 * pad, nodeBoxHeight(node) + pad + (columns.map(\.1).max() ?? 0) + pad + (node.hiddenIterations > 0 ? label : 0)
        )
    }

    static func columnSize(_ column: FlowGraph.Column) -> (Int, Int) {
        let (width, height) = sequenceSize(column.nodes)
        return (max(width, nodeWidth), label + height)
    }

    static func sequenceSize(_ nodes: [FlowGraph.Node]) -> (Int, Int) {
        let sizes = nodes.map(size)
        return (sizes.map(\.0).max() ?? nodeWidth, sizes.map(\.1).reduce(0, +) + gap * max(0, sizes.count - 1))
    }

    // MARK: Drawing

    static func drawSequence(_ nodes: [FlowGraph.Node], x: Int, y: Int, width: Int, into body: inout [String], now: Int64) {
        var top = y
        for (index, node) in nodes.enumerated() {
            let (nodeWidth, height) = size(node)
            let left = x + (width - nodeWidth) / 2
            if index > 0 {
                let center = x + width / 2
                body.append(##"<line class="edge" x1="\##(center)" y1="\##(top - gap)" x2="\##(center)" y2="\##(top)" stroke="#8a93a3"/>"##)
            }
            draw(node, x: left, y: top, width: nodeWidth, height: height, into: &body, now: now)
            top += height + gap
        }
    }

    static func draw(_ node: FlowGraph.Node, x: Int, y: Int, width: Int, height: Int, into body: inout [String], now: Int64) {
        let state = node.dimmed ? "not-run" : (node.step?.state.rawValue ?? "not-run")
        let gateOpen = node.gate?.isAcceptingDecisions == true
        let colours = gateOpen ? ("#fff1c7", "#d4a017") : palette(state)
        var attributes = ##"class="node" data-module="\##(xml(node.moduleID))" data-frame="\##(xml(node.frame))" data-state="\##(state)""##
        if let gate = node.gate { attributes += ##" data-gate="\##(gate.id.rawValue)" data-gate-state="\##(gate.currentState.rawValue)""## }
        body.append("<g \(attributes)>")
        let dash = node.dimmed ? ##" stroke-dasharray="4 3" opacity="0.55""## : ""
        if !node.columns.isEmpty {
            body.append(##"<rect x="\##(x)" y="\##(y)" width="\##(width)" height="\##(height)" rx="8" fill="#fafbfc" stroke="#c4c9d4"\##(dash)/>"##)
        }
        // The module's own box (a container's is its header row).
        let boxWidth = node.columns.isEmpty ? width : width
        let boxHeight = nodeBoxHeight(node)
        let link = node.step.map { "/jobs/\(($0.subflow ?? $0.id).rawValue)" }
        if let link { body.append(##"<a href="\##(link)">"##) }
        body.append(
            ##"<rect x="\##(x)" y="\##(y)" width="\##(boxWidth)" height="\##(boxHeight)" rx="6" fill="\##(colours.0)" stroke="\##(colours.1)"\##(dash)/>"##
        )
        let title = node.summary.isEmpty ? node.moduleID : "\(node.moduleID) · \(node.summary)"
        body.append(##"<text x="\##(x + 8)" y="\##(y + 18)" class="title">\##(xml(clip(title, 30)))</text>"##)
        body.append(##"<text x="\##(x + 8)" y="\##(y + 36)" class="detail">\##(xml(clip(detail(node, state: state), 34)))</text>"##)
        var nextLine = y + 54
        if let outcome = outcomeLine(node) {
            body.append(##"<text x="\##(x + 8)" y="\##(nextLine)" class="detail outcome">\##(xml(clip(outcome, 34)))</text>"##)
            nextLine += gateExtra
        }
        if let gate = node.gate {
            var line = "gate \(gate.currentState.rawValue): \(gate.approvals.count)/\(gate.required)"
            var countdown = ""
            if gate.isAcceptingDecisions, let deadline = gate.deadline {
                line += " · "
                countdown = ##"<tspan data-deadline="\##(deadline)">until \##(xml(String(ConsoleTime.text(deadline).dropFirst(11))))</tspan>"##
            }
            body.append(##"<text x="\##(x + 8)" y="\##(nextLine)" class="detail">\##(xml(line))\##(countdown)</text>"##)
        }
        if link != nil { body.append("</a>") }
        if !node.columns.isEmpty {
            var left = x + pad
            let top = y + boxHeight + pad
            let inner = node.columns.map { columnSize($0).0 }.reduce(0, +) + columnGap * (node.columns.count - 1)
            left += (width - 2 * pad - inner) / 2
            for column in node.columns {
                let (columnWidth, _) = columnSize(column)
                var columnAttributes = ##"class="column" data-label="\##(xml(column.label))""##
                if let taken = column.taken { columnAttributes += ##" data-taken="\##(taken)""## }
                if let iteration = column.iteration { columnAttributes += ##" data-iteration="\##(iteration)""## }
                body.append("<g \(columnAttributes)>")
                let marker = column.taken == true ? " ✓ taken" : (column.taken == false ? " (not taken)" : "")
                body.append(##"<text x="\##(left + 2)" y="\##(top + 12)" class="label">\##(xml(clip(column.label, 26) + marker))</text>"##)
                drawSequence(column.nodes, x: left, y: top + label, width: columnWidth, into: &body, now: now)
                body.append("</g>")
                left += columnWidth + columnGap
            }
            if node.hiddenIterations > 0 {
                body.append(##"<text x="\##(x + pad)" y="\##(y + height - 6)" class="label">+ \##(node.hiddenIterations) more iterations</text>"##)
            }
        }
        body.append("</g>")
    }

    static func detail(_ node: FlowGraph.Node, state: String) -> String {
        guard let step = node.step, !node.dimmed else { return "\(node.type) · not run" }
        var text = "\(node.type) · \(step.state.rawValue)"
        if let started = step.startedAt, let finished = step.finishedAt { text += " · " + ConsoleTime.duration(finished - started) }
        return text
    }

    static func palette(_ state: String) -> (String, String) {
        switch state {
        case "success": ("#d6f2e1", "#1f8f4e")
        case "failure": ("#fbd9d5", "#c0392b")
        case "running": ("#dbe5ff", "#3d6cf4")
        case "suspended": ("#fff1c7", "#d4a017")
        case "canceled": ("#eeeeee", "#8a93a3")
        case "queued", "scheduled": ("#f0f2f5", "#8a93a3")
        default: ("#ffffff", "#c4c9d4")
        }
    }

    static func clip(_ text: String, _ length: Int) -> String {
        text.count > length ? String(text.prefix(length - 1)) + "…" : text
    }

    /// Escapes text for XML content and attribute values.
    static func xml(_ text: String) -> String {
        MarkupEscaping.escape(text)
    }
}
