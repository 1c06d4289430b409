print("bench: see make bench")
