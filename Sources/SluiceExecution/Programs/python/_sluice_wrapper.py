import importlib.util
import inspect
import json
import os
import sys
import traceback


def _run():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "args.json"), encoding="utf-8") as handle:
        args = json.load(handle)
    try:
        spec = importlib.util.spec_from_file_location("script", os.path.join(here, "script.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules["script"] = module
        spec.loader.exec_module(module)
        main = getattr(module, "main", None)
        if "__sluice_preprocess_only__" in args:
            # A flow's preprocessor step: preprocessor(event), else main(event), is the step.
            entry = getattr(module, "preprocessor", None) or main
            if not callable(entry):
                raise NameError("the script defines no preprocessor (or main) function")
            accepted = inspect.signature(entry).parameters
            result = entry(**({"event": args["__sluice_preprocess_only__"]} if "event" in accepted else {}))
            if inspect.iscoroutine(result):
                import asyncio

                result = asyncio.run(result)

            def main():
                return result

            args = {}
        if not callable(main):
            raise NameError("the script defines no main function")
        if "__sluice_preprocess__" in args:
            preprocessor = getattr(module, "preprocessor", None)
            if not callable(preprocessor):
                raise NameError("the script defines no preprocessor function")
            accepted = inspect.signature(preprocessor).parameters
            args = preprocessor(**({"event": args["__sluice_preprocess__"]} if "event" in accepted else {}))
            if inspect.iscoroutine(args):
                import asyncio

                args = asyncio.run(args)
            if not isinstance(args, dict):
                raise TypeError("the preprocessor must return a dict: main's arguments by name")
        parameters = inspect.signature(main).parameters.values()
        if not any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters):
            accepted = {p.name for p in parameters}
            args = {k: v for k, v in args.items() if k in accepted}
        result = main(**args)
        text = json.dumps(result, default=str)
    except BaseException as error:
        trace = traceback.format_exc()
        sys.stderr.write(trace)
        sys.stderr.flush()
        with open(os.path.join(here, "error.json"), "w", encoding="utf-8") as handle:
            json.dump({"name": type(error).__name__, "message": str(error), "traceback": trace}, handle)
        sys.exit(1)
    with open(os.path.join(here, "result.json"), "w", encoding="utf-8") as handle:
        handle.write(text)


_run()
