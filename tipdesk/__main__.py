from tipdesk.cli import main

main()
