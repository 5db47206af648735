"""The monitor's reference figures per gemeente and year: the staff pages that keep them."""
