import Foundation
import Hummingbird
import SluiceCore
import SluiceRedis
import SluiceStore

/// The variables page: variables and resources listed, set at the version shown, created where
/// none is, deleted after a confirmation page — each through ``SettingsActions``.
extension ConsoleRoutes {
    func variablesPage() async -> Response {
        let keys = jobs.keys
        return await withRedis { connection in
            (try VariableStore(keys: keys).list(on: connection), try ResourceStore(keys: keys).list(on: connection))
        } respond: { variables, resources in
            .page(.ok, pages.variables(variables, resources: resources, csrf: csrf.token(session: session)))
        }
    }

    func setVariable(_ request: Request) async -> Response {
        let actions = settingsActions
        let who = operatorName
        return await setValue(request, kind: "variable", checked: { _ in nil }) { path, value, version, connection in
            try actions.setVariable(path, value: value, expectedVersion: version, who: who, on: connection)
        }
    }

    func setResource(_ request: Request) async -> Response {
        let actions = settingsActions
        let who = operatorName
        let isObject: @Sendable (String) -> ConsoleInputError? = { text in
            guard case .object? = try? JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth) else {
                return ConsoleInputError(field: "value", "is not a JSON object")
            }
            return nil
        }
        return await setValue(request, kind: "resource", checked: isObject) { path, text, version, connection in
            try actions.setResource(path, text: text, expectedVersion: version, who: who, on: connection)
        }
    }

    /// A variable's or resource's form (`path`, the `version` shown, the new `value`, checked by
    /// `checked`) applied by `set` at that version; back to the list, or why not.
    func setValue(
        _ request: Request, kind: String, checked: @escaping @Sendable (String) -> ConsoleInputError?,
        set: @escaping @Sendable (String, String, Int, RedisConnection) throws -> Result<Int, SettingsActions.VariableRefusal>
    ) async -> Response {
        await withForm(request) { form in
            guard let path = form.fields["path"], !path.isEmpty else { return badInput(ConsoleInputError(field: "path", "is missing")) }
            guard let version = form.fields["version"].flatMap({ Int($0) }) else {
                return badInput(ConsoleInputError(field: "version", "is not a number"))
            }
            guard let value = form.fields["value"] else { return badInput(ConsoleInputError(field: "value", "is missing")) }
            if let refusal = checked(value) { return badInput(refusal) }
            return await withRedis {
                try set(path, value, version, $0)
            } respond: {
                answer($0, refused: "Not set", missing: "No \(kind) \(path).")
            }
        }
    }

    /// The answer to a set or a create: back to the list, 404 with `missing`, or 409 saying why
    /// under `refused`.
    func answer(_ outcome: Result<Int, SettingsActions.VariableRefusal>, refused heading: String, missing: String) -> Response {
        switch outcome {
        case .success: .seeOther("/variables")
        case .failure(.notFound): notFound(missing)
        case .failure(.refused(let why)):
            .page(.conflict, pages.message(heading: heading, message: why, success: false, link: ("/variables", "Variables")))
        }
    }

    /// What the variables page creates and deletes.
    enum SettingKind: String {
        case variable
        case resource
    }

    func create(_ request: Request, kind: SettingKind) async -> Response {
        await withForm(request) { form in
            guard let path = form.fields["path"]?.trimmingCharacters(in: .whitespaces), !path.isEmpty else {
                return badInput(ConsoleInputError(field: "path", "is missing"))
            }
            guard let value = form.fields["value"] else { return badInput(ConsoleInputError(field: "value", "is missing")) }
            let description = form.fields["description"].flatMap { $0.isEmpty ? nil : $0 }
            if let description, description.count > 2000 {
                return badInput(ConsoleInputError(field: "description", "is longer than 2000 characters"))
            }
            let item = SettingsActions.NewItem(
                path: path, value: value, description: description, secret: form.fields["secret"] == "on",
                type: form.fields["type"]?.trimmingCharacters(in: .whitespaces) ?? "")
            if let refusal = SettingsActions.inputProblem(item, resource: kind == .resource) { return badInput(refusal) }
            let actions = settingsActions
            let who = operatorName
            return await withRedis { connection in
                kind == .variable
                    ? try actions.createVariable(item, who: who, on: connection) : try actions.createResource(item, who: who, on: connection)
            } respond: {
                answer($0, refused: "Not created", missing: "No \(kind.rawValue) \(path).")
            }
        }
    }

    func confirmDelete(_ request: Request, kind: SettingKind) async -> Response {
        guard let path = request.uri.queryParameters["path"].map(String.init), !path.isEmpty else {
            return badInput(ConsoleInputError(field: "path", "is missing"))
        }
        let keys = jobs.keys
        return await withRedis { connection -> (exists: Bool, secret: Bool) in
            if kind == .variable {
                let variable = try VariableStore(keys: keys).variable(at: path, on: connection)
                return (variable != nil, variable?.isSecret ?? false)
            }
            return (try ResourceStore(keys: keys).resource(at: path, on: connection) != nil, false)
        } respond: { found in
            guard found.exists else { return notFound("No \(kind.rawValue) \(path).") }
            return .page(.ok, pages.confirmDelete(kind: kind.rawValue, path: path, secret: found.secret, csrf: csrf.token(session: session)))
        }
    }

    func delete(_ request: Request, kind: SettingKind) async -> Response {
        await withForm(request) { form in
            guard let path = form.fields["path"], !path.isEmpty else { return badInput(ConsoleInputError(field: "path", "is missing")) }
            let actions = settingsActions
            let who = operatorName
            return await withRedis { connection in
                kind == .variable
                    ? try actions.deleteVariable(path, who: who, on: connection) : try actions.deleteResource(path, who: who, on: connection)
            } respond: { deleted in
                deleted ? .seeOther("/variables") : notFound("No \(kind.rawValue) \(path).")
            }
        }
    }
}
