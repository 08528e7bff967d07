"""WDL syntax check without Cromwell or miniwdl: parse each file given on the command line with the
ANTLR grammar of Debian's python3-wdlparse (wdlparse.v1 for `version 1.0`, wdlparse.dev for
`version 1.1`/development), with an error listener that collects every syntax error.
Prints "ok FILE" or "FAIL FILE" plus line:column and message per error; exits 1 if any file failed.
Run with /usr/bin/python3 (the Debian interpreter that has wdlparse)."""
import re
import sys
import warnings

warnings.filterwarnings("ignore")
from antlr4 import CommonTokenStream, FileStream  # noqa: E402
from antlr4.error.ErrorListener import ErrorListener  # noqa: E402


class Collect(ErrorListener):
    def __init__(self):
        super().__init__()
        self.errors = []

    def syntaxError(self, recognizer, offendingSymbol, line, column, msg, e):
        self.errors.append(f"{line}:{column} {msg}")


def grammar(path):
    with open(path, encoding="utf-8") as f:
        m = re.search(r"^\s*version\s+(\S+)", f.read(), re.M)
    if m and m.group(1) == "1.0":
        from wdlparse.v1.WdlV1Lexer import WdlV1Lexer as Lexer
        from wdlparse.v1.WdlV1Parser import WdlV1Parser as Parser
    else:
        from wdlparse.dev.WdlLexer import WdlLexer as Lexer
        from wdlparse.dev.WdlParser import WdlParser as Parser
    return Lexer, Parser


def check(path):
    Lexer, Parser = grammar(path)
    listener = Collect()
    lexer = Lexer(FileStream(path, encoding="utf-8"))
    lexer.removeErrorListeners()
    lexer.addErrorListener(listener)
    parser = Parser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    try:
        parser.document()
    except Exception as e:  # a broken file can raise e.g. "Empty Stack"
        listener.errors.append(f"parser raised {type(e).__name__}: {e}")
    return listener.errors


failed = 0
for path in sys.argv[1:]:
    errors = check(path)
    if errors:
        failed += 1
        print(f"FAIL {path}")
        for err in errors:
            print(f"  {path}:{err}")
    else:
        print(f"ok {path}")
sys.exit(1 if failed else 0)
