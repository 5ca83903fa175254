from jdanalyzer.cli import main

main()
