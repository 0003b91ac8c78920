from portal.bench.run import main

main()
