// Syntax check for Nextflow files with plain Groovy 4 (no Nextflow): each file given on the command
// line is compiled to the CONVERSION phase (parse + AST building, no class resolution), so a syntax
// error fails and Nextflow's DSL words (process, workflow, include, channel operators) do not.
// Prints "ok <file>" or "FAIL <file>" plus the compiler's messages; exits 1 if any file failed.
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.MultipleCompilationErrorsException
import org.codehaus.groovy.control.Phases

int failed = 0
args.each { String path ->
    def unit = new CompilationUnit(new CompilerConfiguration())
    unit.addSource(new File(path))
    try {
        unit.compile(Phases.CONVERSION)
        println "ok ${path}"
    } catch (MultipleCompilationErrorsException e) {
        failed++
        println "FAIL ${path}"
        def w = new StringWriter()
        e.errorCollector.write(new PrintWriter(w), null)
        println w.toString().trim()
    }
}
System.exit(failed ? 1 : 0)
