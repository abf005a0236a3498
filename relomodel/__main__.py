from relomodel.cli import main

main()
