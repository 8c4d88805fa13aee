"""The candidate's CV and the target job description: read them (``read``) and map
them onto the bank's topics (``topics``), so the interview aims at them."""
