// Prints the Nextflow pipeline's scatter plan (workflows/nextflow/lib/ShardPlan.groovy) for each
// (ks, restarts, restarts_per_shard) triple given: a line "== ks restarts per", then one line
// "k first last" per shard, for comparison with the WDL and Slurm plans.
// usage: GroovyMain plan.groovy ShardPlan.groovy KS RESTARTS PER [KS RESTARTS PER ...]
def planClass = new GroovyClassLoader().parseClass(new File(args[0]))
def rest = args.drop(1) as List
rest.collate(3).each { triple ->
    println "== ${triple.join(' ')}"
    planClass.shards(triple[0], triple[1] as int, triple[2] as int).each { println it.join(' ') }
}
